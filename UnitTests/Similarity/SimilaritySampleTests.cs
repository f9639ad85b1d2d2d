using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Samples.SentenceSimilarity;
using MLComponents.UnitTests.SampleApps;

namespace MLComponents.UnitTests.Similarity;

/// <summary>The SentenceSimilarity sample, run in-process: its default run, TSV files with quotes, --help and its failures.</summary>
[TestClass]
public sealed partial class SimilaritySampleTests
{
    [GeneratedRegex(@"^test=(?<name>[^ ]+) pearson=(?<pearson>-?\d\.\d{4}) spearman=(?<spearman>-?\d\.\d{4}) rmse=(?<rmse>\d+\.\d{4})$", RegexOptions.Multiline)]
    private static partial Regex MetricsLine();

    [GeneratedRegex(@"^epoch (?<epoch>\d+)/(?<epochs>\d+) step (?<step>\d+)/(?<total>\d+) loss=\d+\.\d{4} tokens/s=\d+$", RegexOptions.Multiline)]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"^  cos\(""the cat chased the mouse"", ""(?<other>[a-z ]+)""\) = (?<cos>-?\d\.\d{3})$", RegexOptions.Multiline)]
    private static partial Regex CosineLine();

    [TestMethod]
    public void NoArguments_TrainsOnAgentPatientPairs_RanksSwapsBelowParaphrases()
    {
        var run = Run();

        Assert.AreEqual(0, run.Code, run.ToString());
        Assert.AreEqual("", run.Error);
        var epochs = run.OutputLines(EpochLine());
        Assert.HasCount(12, epochs, run.ToString());
        Assert.AreEqual("900/900", $"{epochs[^1].Groups["step"].Value}/{epochs[^1].Groups["total"].Value}", "1200 pairs, batch 16, 12 epochs");
        var metrics = run.OutputLines(MetricsLine()).Single();
        Assert.AreEqual("agent-patient-test", metrics.Groups["name"].Value);
        // A position-blind encoder scores a swap like its original (cos 1) and cannot rank the pairs this well.
        Assert.IsGreaterThanOrEqualTo(0.9, Number(metrics, "spearman"), run.ToString());
        Assert.IsGreaterThanOrEqualTo(0.9, Number(metrics, "pearson"), run.ToString());
        Assert.IsLessThan(0.15, Number(metrics, "rmse"), run.ToString());
        var cos = run.OutputLines(CosineLine()).ToDictionary(m => m.Groups["other"].Value, m => Number(m, "cos"));
        Assert.IsGreaterThan(cos["the mouse chased the cat"] + 0.3, cos["the cat pursued the mouse"], run.ToString());
        Assert.IsGreaterThan(cos["the teacher helped the child"], cos["the mouse chased the cat"], run.ToString());
    }

    [TestMethod]
    public void FileMode_QuoteThenTextAndPandasQuotedFields_PrintOneLinePerTestFile()
    {
        using var dir = SampleTestData.TempDirectory();
        string Label(float v) => v.ToString(CultureInfo.InvariantCulture);
        var trainPairs = AgentPatientPairs.Make(96, seed: 1);
        string train = SampleTestData.WriteRaw(dir.Path, "train.tsv", ["Sentence1", "Sentence2", "Label"], trainPairs.Select((p, i) => new[]
        {
            i % 5 == 0 ? $"\"{string.Join(' ', p.Sentence1)}\" she said" : string.Join(' ', p.Sentence1), string.Join(' ', p.Sentence2), Label(p.Label),
        }));
        string pandas = SampleTestData.WritePandas(dir.Path, "pandas.tsv", ["Label", "Sentence2", "Sentence1"], AgentPatientPairs.Make(24, seed: 2).Select((p, i) => new[]
        {
            Label(p.Label), string.Join(' ', p.Sentence2), i % 3 == 0 ? $"\"{string.Join(' ', p.Sentence1)}\"\tquoted" : string.Join(' ', p.Sentence1),
        }));
        string other = SampleTestData.WriteRaw(dir.Path, "other.tsv", ["Sentence1", "Sentence2", "Label"],
            AgentPatientPairs.Make(24, seed: 3).Select(p => new[] { string.Join(' ', p.Sentence1), string.Join(' ', p.Sentence2), Label(p.Label) }));

        var run = Run("--train", train, "--test", pandas, "--test", other, "--epochs", "2", "--encoding", "rope", "--loss", "COSENT");

        Assert.AreEqual(0, run.Code, run.ToString());
        CollectionAssert.AreEqual(new[] { "pandas.tsv", "other.tsv" }, run.OutputLines(MetricsLine()).Select(m => m.Groups["name"].Value).ToArray(), run.ToString());
        Assert.HasCount(2, run.OutputLines(EpochLine()), run.ToString());
        CollectionAssert.AreEqual(new[]
        {
            $"note: train.tsv: quotes read as plain text, since with quoted fields line 2: field 1 starts with a quote and goes on after its closing quote: \"{string.Join(' ', trainPairs[0].Sentence1)}\" she said",
            "note: pandas.tsv: 8 quoted fields read CSV-style (\"\" inside is a quote; tabs and line breaks inside are text); --quoting off reads quotes as plain text",
        }, run.ErrorLines, run.ToString());
    }

    [TestMethod]
    public void Help_ListsEveryOption_AndExitsZero()
    {
        var run = Run("-h");

        Assert.AreEqual(0, run.Code, run.ToString());
        StringAssert.Contains(run.Output, "SentenceSimilarity [options]");
        foreach (string option in new[] { "--train", "--test", "--quoting <auto|on|off>", "--encoding <scheme>", "--epochs <N>", "--loss <mse|cosent>", "--max-tokens <N>", "--seed <N>", "--backend" })
            StringAssert.Contains(run.Output, option);
    }

    [TestMethod]
    public void BadArgumentsExitTwo_BadFilesExitOne_EachWithOneErrorLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string fraction = SampleTestData.WriteRaw(dir.Path, "fraction.tsv", ["Sentence1", "Sentence2", "Label"], [["the cat", "the dog", "1"], ["a cat", "a dog", "1/3"]]);
        string absent = Path.Combine(dir.Path, "train.tsv");
        var cases = new (string[] Args, int Code, string Error)[]
        {
            (["--encoding", "bogus"], 2, "option '--encoding' must be one of none|sinusoidal|learned|scaled|scaled-embedding|shaw|t5|rope|xpos|alibi|fire, got 'bogus' (--help shows the usage)"),
            (["--loss", "hinge"], 2, "option '--loss' must be one of mse|cosent, got 'hinge' (--help shows the usage)"),
            (["--epochs", "-1"], 2, "option '--epochs' needs an integer >= 1, got '-1' (--help shows the usage)"),
            (["--train", absent], 2, "'--train' needs at least one '--test' file (--help shows the usage)"),
            (["--train", absent, "--test", absent], 1, $"file '{absent}' not found"),
            (["--train", fraction, "--test", fraction], 1, $"file '{fraction}' line 3: column 'Label' holds '1/3', not a finite number"),
        };
        foreach (var (args, code, error) in cases)
        {
            var run = Run(args);
            Assert.AreEqual(code, run.Code, run.ToString());
            CollectionAssert.AreEqual(new[] { $"error: {error}" }, run.ErrorLines, run.ToString());
        }
    }

    [TestMethod]
    public void Cancelled_StopsTraining_ExitCode130()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = SimilarityApp.Run([], output, error, null, new CancellationToken(canceled: true));

        Assert.AreEqual(130, code, error.ToString());
        Assert.AreEqual("error: cancelled (Ctrl+C)", error.ToString().Trim());
    }

    private static SampleRun Run(params string[] args) => SampleRun.Of((a, o, e) => SimilarityApp.Run(a, o, e), args);

    private static double Number(Match m, string group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
}
