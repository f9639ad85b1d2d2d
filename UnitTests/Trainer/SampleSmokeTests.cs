using System.Globalization;
using System.Text.RegularExpressions;
using MLComponents.Samples;
using MLComponents.Samples.TextClassification;
using MLComponents.UnitTests.SampleApps;
using Spectre.Console;

namespace MLComponents.UnitTests.Trainer;

/// <summary>The TextClassification sample, run in-process: its default run, TSV files with quotes, --help and its failures.</summary>
[TestClass]
public sealed partial class SampleSmokeTests
{
    [GeneratedRegex(@"^test=(?<name>[^ ]+) accuracy=(?<accuracy>\d\.\d{4}) macro_accuracy=(?<macro>\d\.\d{4}) log_loss=(?<loss>\d+\.\d{4})$", RegexOptions.Multiline)]
    private static partial Regex MetricsLine();

    [GeneratedRegex(@"^epoch (?<epoch>\d+)/(?<epochs>\d+) step (?<step>\d+)/(?<total>\d+) loss=\d+\.\d{4} tokens/s=\d+( val_accuracy=\d\.\d{4} val_log_loss=\d+\.\d{4})? truncated=\d+$", RegexOptions.Multiline)]
    private static partial Regex EpochLine();

    [TestMethod]
    public void NoArguments_TrainsOnTheEmbeddedData_WordOrderDecidesTheLabel()
    {
        var run = Run();

        Assert.AreEqual(0, run.Code, run.ToString());
        Assert.AreEqual("", run.Error, run.ToString());
        var epochs = run.OutputLines(EpochLine());
        // Up to 12 epochs, stopped early once the held-out tenth stops improving; 1500 rows less 150 held out, batch 32: 43 steps an epoch.
        CollectionAssert.AreEqual(Enumerable.Range(1, epochs.Length).Select(e => e.ToString(CultureInfo.InvariantCulture)).ToArray(),
            epochs.Select(m => m.Groups["epoch"].Value).ToArray(), run.ToString());
        Assert.IsTrue(epochs.Length <= 12 && epochs.All(m => m.Groups["epochs"].Value == "12"), run.ToString());
        Assert.AreEqual((43 * epochs.Length).ToString(CultureInfo.InvariantCulture), epochs[^1].Groups["step"].Value, run.ToString());
        Assert.IsTrue(epochs.All(m => m.Groups[1].Success), "every epoch line shows the held-out validation metrics");
        var metrics = run.OutputLines(MetricsLine()).Single();
        Assert.AreEqual("whodidit-test", metrics.Groups["name"].Value);
        // A bag of words tops out near 0.5 on this data (each sentence names both animals); word order gets it right.
        Assert.IsGreaterThanOrEqualTo(0.95, Number(metrics, "accuracy"), run.ToString());
        Assert.IsLessThan(0.2, Number(metrics, "loss"), run.ToString());
        StringAssert.Contains(run.Output, "\"the dog was chased by the cat\" -> cat (");
        StringAssert.Contains(run.Output, "\"yesterday the owl was quietly helped by the fox near the river\" -> fox (");
    }

    [TestMethod]
    public void FileMode_QuoteThenTextAndPandasQuotedFields_LoadAndScoreEveryFile()
    {
        // The issue's acceptance case: a SpamAssassin-style TSV whose text starts with a quote and goes on after it stopped the old
        // sample; a pandas-written test file quotes fields holding tabs, line breaks and doubled quotes. The class word of every
        // pandas row sits after a tab or a line break inside its quotes, so a loader that cut the field there could not score it
        // (and one that left the field's quoting in place would see words training never saw).
        using var dir = SampleTestData.TempDirectory();
        string train = SampleTestData.WriteRaw(dir.Path, "train.tsv", ["Id", "Text", "Label"],
            SampleTestData.SpamOrHam(240, seed: 1).Select((r, i) => new[] { i.ToString(CultureInfo.InvariantCulture), r.Text, r.Label }));
        string raw = SampleTestData.WriteRaw(dir.Path, "raw_test.tsv", ["Label", "Text"], SampleTestData.SpamOrHam(60, seed: 2).Select(r => new[] { r.Label, r.Text }));
        string pandas = SampleTestData.WritePandas(dir.Path, "pandas.tsv", ["Text", "Label"],
            SampleTestData.SpamOrHam(60, seed: 3, quotes: false).Select((r, i) => new[] { $"\"A billion here...\"{(i % 2 == 0 ? '\t' : '\n')}> Bottom line: {r.Text}", r.Label })
                .Append(["an unseen label", "phishing"]));
        string model = Path.Combine(dir.Path, "model.zip");

        var run = Run("--train", train, "--test", raw, "--test", pandas, "--epochs", "10", "--max-tokens", "24", "--encoding", "ALiBi", "--seed", "3",
            "--model-out", model);

        Assert.AreEqual(0, run.Code, run.ToString());
        var metrics = run.OutputLines(MetricsLine());
        CollectionAssert.AreEqual(new[] { "raw_test.tsv", "pandas.tsv" }, metrics.Select(m => m.Groups["name"].Value).ToArray(), run.ToString());
        foreach (var m in metrics) Assert.IsGreaterThanOrEqualTo(0.9, Number(m, "accuracy"), run.ToString());
        int epochLines = run.OutputLines(EpochLine()).Length;
        Assert.IsTrue(epochLines is >= 4 and <= 10, $"{epochLines} epoch lines: at most the 10 asked for, fewer when early stopping ends it (patience 3)");
        var notes = run.ErrorLines;
        Assert.HasCount(4, notes, run.ToString());
        const string QuoteThenText = "quotes read as plain text, since with quoted fields line 2: field 2 starts with a quote and goes on after its closing quote: " +
            "\"A billion here...\" > Bottom line: ";
        StringAssert.StartsWith(notes[0], $"note: train.tsv: {QuoteThenText}");
        StringAssert.StartsWith(notes[1], $"note: raw_test.tsv: {QuoteThenText}");
        Assert.AreEqual("note: pandas.tsv: 60 quoted fields read CSV-style (\"\" inside is a quote; tabs and line breaks inside are text); --quoting off reads quotes as plain text", notes[2]);
        Assert.AreEqual("note: pandas.tsv: 1 row with a label not seen in training (or empty), left out of the metrics", notes[3]);
        Assert.IsTrue(File.Exists(model));
    }

    [TestMethod]
    public void Help_ListsEveryOption_AndExitsZero()
    {
        var run = Run("--help");

        Assert.AreEqual(0, run.Code, run.ToString());
        Assert.AreEqual("", run.Error);
        StringAssert.Contains(run.Output, "TextClassification [options]");
        foreach (string option in new[] { "--train", "--test", "--label-column", "--text-column", "--quoting <auto|on|off>", "--encoding <scheme>", "--epochs <N>",
                     "--max-tokens <N>", "--seed <N>", "--model-out", "--backend <managed|torchsharp>", "--device", "--help" })
            StringAssert.Contains(run.Output, option);
        StringAssert.Contains(run.Output, "none|sinusoidal|learned|scaled|scaled-embedding|shaw|t5|rope|xpos|alibi|fire");
    }

    [TestMethod]
    public void BadArguments_ExitTwo_WithOneErrorLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string train = SampleTestData.WriteRaw(dir.Path, "train.tsv", ["Label", "Text"], [["ham", "hello"]]);
        var cases = new (string[] Args, string Error)[]
        {
            (["--epochs", "zero"], "option '--epochs' needs an integer >= 1, got 'zero'"),
            (["--epochs", "0"], "option '--epochs' needs an integer >= 1, got '0'"),
            (["--max-tokens"], "Required argument missing for option: '--max-tokens'."),
            (["--encoding", "cubic"], "option '--encoding' must be one of none|sinusoidal|learned|scaled|scaled-embedding|shaw|t5|rope|xpos|alibi|fire, got 'cubic'"),
            (["--quoting", "maybe"], "option '--quoting' must be one of auto|on|off, got 'maybe'"),
            (["--bogus"], "Unrecognized command or argument '--bogus'."),
            (["--train", train], "'--train' needs at least one '--test' file"),
            (["--test", train], "'--test' needs '--train'"),
            (["--train", train, "--test", train, "--label-column", "Text"], "'--label-column' and '--text-column' are both 'Text'"),
            (["--backend", "jax"], "option '--backend' must be one of managed|torchsharp, got 'jax'"),
            (["--device", "cuda"], "option '--device': 'cuda' needs '--backend torchsharp'; the managed backend trains on the cpu"),
            (["--backend", "torchsharp", "--device", "gpu0"], "option '--device': 'gpu0' is not cpu, cuda or cuda:N"),
        };
        foreach (var (args, error) in cases)
        {
            var run = Run(args);
            Assert.AreEqual(2, run.Code, string.Join(' ', args));
            Assert.AreEqual("", run.Output, string.Join(' ', args));
            CollectionAssert.AreEqual(new[] { $"error: {error} (--help shows the usage)" }, run.ErrorLines, string.Join(' ', args));
        }
    }

    [TestMethod]
    [DoNotParallelize] // trains on libtorch: see Trainers/TorchSharp/README.md, "Known"
    public void TorchSharpBackend_TrainsTheSameModelKind_AndACudaDeviceThatIsNotHereIsNamed()
    {
        // Its own model path: the no-argument test writes the default one, and tests run in parallel.
        using var dir = SampleTestData.TempDirectory();
        var run = Run(["--backend", "torchsharp", "--epochs", "5", "--model-out", Path.Combine(dir.Path, "torch.zip")]);
        Assert.AreEqual(0, run.Code, run.Error);
        var metrics = run.Output.Split('\n').Single(l => l.StartsWith("test=whodidit-test ", StringComparison.Ordinal));
        double accuracy = double.Parse(metrics.Split(' ')[1]["accuracy=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsTrue(accuracy >= 0.9, metrics);

        var cuda = Run(["--backend", "torchsharp", "--device", "cuda:1", "--epochs", "1", "--model-out", Path.Combine(dir.Path, "cuda.zip")]);
        Assert.AreEqual(1, cuda.Code);
        StringAssert.Contains(cuda.Error, "Device 'cuda:1'");
    }

    [TestMethod]
    public void BadFiles_ExitOne_WithOneErrorLineNamingFileAndLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string train = SampleTestData.WriteRaw(dir.Path, "train.tsv", ["Label", "Text"], [["ham", "hello"], ["spam", "win"]]);
        string quoted = SampleTestData.WriteRaw(dir.Path, "quoted.tsv", ["Label", "Text"], [["ham", "hello"], ["spam", "\"A billion here...\" > win"]]);
        string noText = SampleTestData.WriteRaw(dir.Path, "notext.tsv", ["Label", "Sentence"], [["ham", "hello"]]);
        string ragged = SampleTestData.WriteRaw(dir.Path, "ragged.tsv", ["Label", "Text"], [["ham", "hello"], ["ham", "a", "b"]]);
        string absent = Path.Combine(dir.Path, "absent.tsv");
        var cases = new (string[] Args, string Error)[]
        {
            (["--train", absent, "--test", train], $"file '{absent}' not found"),
            (["--train", train, "--test", noText], $"file '{noText}' has no column 'Text' in its header (columns: Label, Sentence)"),
            (["--train", ragged, "--test", train], $"file '{ragged}' line 3: 3 fields where the header has 2"),
            (["--train", quoted, "--test", train, "--quoting", "on"],
                $"file '{quoted}' line 3: field 2 starts with a quote and goes on after its closing quote: \"A billion here...\" > win (--quoting off reads quotes as plain text)"),
        };
        foreach (var (args, error) in cases)
        {
            var run = Run(args);
            Assert.AreEqual(1, run.Code, run.ToString());
            CollectionAssert.AreEqual(new[] { $"error: {error}" }, run.ErrorLines, run.ToString());
        }
    }

    [TestMethod]
    public void InteractiveTerminal_ShowsALiveBar_WithEachEpochLineAboveIt()
    {
        using var dir = SampleTestData.TempDirectory();
        string train = SampleTestData.WriteRaw(dir.Path, "train.tsv", ["Label", "Text"], SampleTestData.SpamOrHam(64, seed: 1).Select(r => new[] { r.Label, r.Text }));
        using var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(screen),
        });
        // A terminal wide enough for a whole epoch line (a narrower one wraps it, as a real terminal would).
        terminal.Profile.Width = 160;
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = SampleApp.Run(["--train", train, "--test", train, "--epochs", "2", "--max-tokens", "16", "--model-out", Path.Combine(dir.Path, "m.zip")],
            output, error, terminal);

        Assert.AreEqual(0, code, error.ToString());
        // Cursor movements and clearing (CSI sequences) redraw the bar in place; without them the screen reads as text.
        string shown = Regex.Replace(screen.ToString(), @"\x1b\[[0-9;?]*[A-Za-z]", "\n").Replace("\r", "", StringComparison.Ordinal);
        StringAssert.Contains(shown, "━", "the bar");
        StringAssert.Contains(shown, "100%");
        StringAssert.Contains(shown, "training: epoch 2/2 loss ");
        Assert.HasCount(2, EpochLine().Matches(shown), shown);
        Assert.IsFalse(output.ToString().Contains("epoch ", StringComparison.Ordinal), "epoch lines go to the live terminal, not the plain output");
        Assert.HasCount(1, MetricsLine().Matches(output.ToString()));
    }

    [TestMethod]
    public void Cancelled_StopsTraining_ExitCode130()
    {
        using var dir = SampleTestData.TempDirectory();
        string train = SampleTestData.WriteRaw(dir.Path, "train.tsv", ["Label", "Text"],
            SampleTestData.SpamOrHam(64, seed: 1, quotes: false).Select(r => new[] { r.Label, r.Text }));
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = SampleApp.Run(["--train", train, "--test", train, "--model-out", Path.Combine(dir.Path, "m.zip")], output, error, null, new CancellationToken(canceled: true));

        Assert.AreEqual(130, code, error.ToString());
        Assert.AreEqual("error: cancelled (Ctrl+C)", error.ToString().Trim());
        Assert.IsFalse(File.Exists(Path.Combine(dir.Path, "m.zip")));
    }

    private static SampleRun Run(params string[] args) => SampleRun.Of((a, o, e) => SampleApp.Run(a, o, e), args);

    private static double Number(Match m, string group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
}
