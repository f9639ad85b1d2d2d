using System.Text.RegularExpressions;
using MLComponents.Samples.TextClassification;

namespace MLComponents.UnitTests.Trainer;

/// <summary>The TextClassification sample's TSV mode, run in-process on tiny files.</summary>
[TestClass]
public sealed partial class SampleSmokeTests
{
    [GeneratedRegex(@"^test=(?<name>[^ ]+) accuracy=\d\.\d{4} macro_accuracy=\d\.\d{4} log_loss=\d+\.\d{4}$", RegexOptions.Multiline)]
    private static partial Regex MetricsLine();

    [TestMethod]
    public void Sample_WithTsvFiles_PrintsOneMetricsLinePerTestFile()
    {
        string dir = Directory.CreateTempSubdirectory("mlc-sample-").FullName;
        try
        {
            string train = Write(dir, "train.tsv", "Id\tText\tLabel", OrderTask.Text(64, 1));
            string test = Write(dir, "test.tsv", "Label\tText", OrderTask.Text(16, 2));
            string other = Write(dir, "other.tsv", "Text\tLabel", [.. OrderTask.Text(8, 3), new TextRow { Label = "gamma-first", Text = "w3 gamma" }]);
            var (code, output, error) = Run("--train", train, "--test", test, "--test", other, "--epochs", "2", "--encoding", "alibi",
                "--max-tokens", "12", "--seed", "3", "--model-out", Path.Combine(dir, "m.zip"));

            Assert.AreEqual(0, code, error);
            var lines = MetricsLine().Matches(output).Select(m => m.Groups["name"].Value).ToArray();
            CollectionAssert.AreEqual(new[] { "test.tsv", "other.tsv" }, lines, output);
            Assert.AreEqual(2, Regex.Matches(output, @"^epoch \d+ ", RegexOptions.Multiline).Count, output);
            StringAssert.Contains(error, "1 rows of other.tsv have a label not seen in training");
            Assert.IsTrue(File.Exists(Path.Combine(dir, "m.zip")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Sample_BadInput_FailsWithOneLineNamingTheProblem()
    {
        string dir = Directory.CreateTempSubdirectory("mlc-sample-").FullName;
        try
        {
            string train = Write(dir, "train.tsv", "Label\tText", OrderTask.Text(8, 1));
            string noText = Write(dir, "notext.tsv", "Label\tSentence", OrderTask.Text(4, 2));

            var bad = new (string[] Args, int Code, string Says)[]
            {
                (["--epochs", "zero"], 2, "'--epochs'"),
                (["--encoding", "cubic"], 2, "'--encoding'"),
                (["--bogus"], 2, "'--bogus'"),
                (["--train", train], 2, "--test"),
                (["--train", train, "--test", noText], 1, "'Text'"),
                (["--train", Path.Combine(dir, "absent.tsv"), "--test", train], 1, "absent.tsv"),
            };
            foreach (var (args, expectedCode, says) in bad)
            {
                var (code, _, error) = Run(args);
                Assert.AreEqual(expectedCode, code, string.Join(' ', args));
                var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.AreEqual(1, lines.Length, error);
                StringAssert.StartsWith(lines[0], "error: ");
                StringAssert.Contains(lines[0], says);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SampleApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Write(string dir, string name, string header, IEnumerable<TextRow> rows)
    {
        string path = Path.Combine(dir, name);
        var columns = header.Split('\t');
        var lines = rows.Select((r, i) => string.Join('\t', columns.Select(c => c switch { "Label" => r.Label, "Id" => i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => r.Text })));
        File.WriteAllLines(path, [header, .. lines]);
        return path;
    }
}
