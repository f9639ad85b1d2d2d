using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Samples.SentenceSimilarity;

namespace MLComponents.UnitTests.Similarity;

[TestClass]
public sealed class SimilaritySampleTests
{
    [TestMethod]
    public void FileModePrintsOneMetricsLinePerTestFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"similarity-sample-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string Write(string name, int count, int seed)
            {
                string path = Path.Combine(dir, name);
                File.WriteAllLines(path, new[] { "Sentence1\tSentence2\tLabel" }.Concat(AgentPatientPairs.Make(count, seed)
                    .Select(p => $"{string.Join(' ', p.Sentence1)}\t{string.Join(' ', p.Sentence2)}\t{p.Label.ToString(System.Globalization.CultureInfo.InvariantCulture)}")));
                return path;
            }
            string train = Write("train.tsv", 64, 1), test = Write("test.tsv", 24, 2), other = Write("other.tsv", 24, 3);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = SimilarityApp.Run(["--train", train, "--test", test, "--test", other, "--epochs", "1", "--encoding", "rope"], stdout, stderr);
            Assert.AreEqual(0, rc, stderr.ToString());
            var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("test=", StringComparison.Ordinal)).ToList();
            Assert.HasCount(2, lines);
            Assert.IsTrue(Regex.IsMatch(lines[0], @"^test=test\.tsv pearson=-?\d\.\d{4} spearman=-?\d\.\d{4} rmse=\d+\.\d{4}$"), lines[0]);
            Assert.IsTrue(lines[1].StartsWith("test=other.tsv ", StringComparison.Ordinal), lines[1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void BadArgumentsAndMissingFilesGiveOneLineErrors()
    {
        var stderr = new StringWriter();
        Assert.AreEqual(2, SimilarityApp.Run(["--encoding", "bogus"], TextWriter.Null, stderr));
        StringAssert.Contains(stderr.ToString(), "--encoding");
        stderr = new StringWriter();
        Assert.AreEqual(1, SimilarityApp.Run(["--train", "/nonexistent/train.tsv", "--test", "/nonexistent/test.tsv"], TextWriter.Null, stderr));
        StringAssert.Contains(stderr.ToString(), "train.tsv");
    }
}
