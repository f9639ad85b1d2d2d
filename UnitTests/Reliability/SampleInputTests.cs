using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using MLComponents.Samples.DatabaseTraining;
using MLComponents.Samples.SchemeReport;
using MLComponents.Samples.SentenceSimilarity;
using MLComponents.Samples.TextClassification;
using MLComponents.UnitTests.SampleApps;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// The three samples (TextClassification, SentenceSimilarity, DatabaseTraining), run in-process on hostile files and databases:
/// hostile text trains, saves and scores (exit 0); missing and unseen labels are notes with counts; a label that is not a number
/// names its file and line; too few rows or classes, and options past their limits, are one error line naming the column, file
/// or option (exit 1).
/// </summary>
[TestClass]
public sealed partial class SampleInputTests
{
    [GeneratedRegex(@"^test=(?<name>\S+) accuracy=(?<accuracy>\d\.\d{4}) macro_accuracy=\d\.\d{4} log_loss=\d+\.\d{4}$", RegexOptions.Multiline)]
    private static partial Regex ClassificationMetrics();

    [GeneratedRegex(@"^test=(?<name>\S+) pearson=(?<pearson>-?\d\.\d{4}|NaN) spearman=(-?\d\.\d{4}|NaN) rmse=\d+\.\d{4}$", RegexOptions.Multiline)]
    private static partial Regex SimilarityMetrics();

    /// <summary>Hostile texts as they reach a file: invalid UTF-8 stands in for lone surrogates (a file cannot hold those).</summary>
    private static readonly string[] HostileFields = ["", "   ", HostileText.MixedScripts, "ab\uFFFDcd", HostileText.FiveMegabyteLine];

    /// <summary>Bytes that are not UTF-8 (a CESU-8 surrogate and a stray continuation byte): readers decode them as U+FFFD.</summary>
    private static readonly byte[] InvalidUtf8 = [0xED, 0xA0, 0x80, 0x80];

    private static string WriteBytes(string dir, string name, string header, IEnumerable<string> lines, int invalidLine)
    {
        string path = Path.Combine(dir, name);
        using var file = File.Create(path);
        var utf8 = new UTF8Encoding(false);
        file.Write(utf8.GetBytes(header + "\n"));
        int i = 0;
        foreach (var line in lines)
        {
            if (i++ == invalidLine)
            {
                // The line's text field gets invalid bytes in the middle of a word.
                int tab = line.IndexOf('\t', StringComparison.Ordinal);
                file.Write(utf8.GetBytes(line[..(tab + 1)] + "ab"));
                file.Write(InvalidUtf8);
                file.Write(utf8.GetBytes("cd" + line[(tab + 1)..] + "\n"));
                continue;
            }
            file.Write(utf8.GetBytes(line + "\n"));
        }
        return path;
    }

    private static SampleRun Classify(params string[] args) => SampleRun.Of((a, o, e) => SampleApp.Run(a, o, e), args);

    private static SampleRun Similar(params string[] args) => SampleRun.Of((a, o, e) => SimilarityApp.Run(a, o, e), args);

    private static SampleRun Database(params string[] args) => SampleRun.Of((a, o, e) => DatabaseApp.Run(a, o, e), args);

    private static SampleRun SchemeReport(params string[] args) => SampleRun.Of((a, o, e) => ReportApp.Run(a, o, e), args);

    [TestMethod]
    public void TextClassification_HostileTextRows_TrainSaveAndScore_UnseenAndEmptyLabelsAreCountedNotes()
    {
        using var dir = SampleTestData.TempDirectory();
        var rows = SampleTestData.SpamOrHam(60, seed: 1, quotes: false).Select(r => $"{r.Label}\t{r.Text}").ToList();
        rows.AddRange(HostileFields.Select((t, i) => $"{(i % 2 == 0 ? "spam" : "ham")}\t{t}"));
        rows.Add("\tan unlabelled row");
        string train = WriteBytes(dir.Path, "train.tsv", "Label\tText", rows, invalidLine: 3);
        string test = WriteBytes(dir.Path, "test.tsv", "Label\tText", [.. rows.Take(20), "phishing\twin a prize", .. HostileFields.Select(t => $"ham\t{t}")], invalidLine: 1);
        string model = Path.Combine(dir.Path, "model.zip");

        var run = Classify("--train", train, "--test", test, "--epochs", "1", "--max-tokens", "16", "--model-out", model);

        Assert.AreEqual(0, run.Code, run.ToString());
        Assert.AreEqual("test.tsv", ClassificationMetrics().Match(run.Output).Groups["name"].Value, run.ToString());
        CollectionAssert.AreEqual(new[]
        {
            "note: train.tsv: 1 row with an empty label, skipped in training",
            "note: test.tsv: 1 row with a label not seen in training (or empty), left out of the metrics",
        }, run.ErrorLines, run.ToString());
        Assert.IsTrue(File.Exists(model), "a vocabulary with emoji, Arabic and U+FFFD saves");
    }

    [TestMethod]
    public void TextClassification_ZeroRowsOneRowOneClass_AndMaxTokensPastItsLimit_AreOneErrorLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string header = SampleTestData.WriteRaw(dir.Path, "header.tsv", ["Label", "Text"], []);
        string one = SampleTestData.WriteRaw(dir.Path, "one.tsv", ["Label", "Text"], [["spam", "win money"]]);
        string oneClass = SampleTestData.WriteRaw(dir.Path, "oneclass.tsv", ["Label", "Text"], SampleTestData.SpamOrHam(20, seed: 2, quotes: false).Select(r => new[] { "spam", r.Text }));
        string good = SampleTestData.WriteRaw(dir.Path, "good.tsv", ["Label", "Text"], SampleTestData.SpamOrHam(20, seed: 3, quotes: false).Select(r => new[] { r.Label, r.Text }));
        string model = Path.Combine(dir.Path, "m.zip");
        var cases = new (string[] Args, string Error)[]
        {
            (["--train", header, "--test", good], $"error: file '{header}' has a header but no data rows"),
            (["--train", one, "--test", good], "error: Column 'Label' is a key of 1 value; a classifier needs at least 2 classes."),
            (["--train", oneClass, "--test", good], "error: Column 'Label' is a key of 1 value; a classifier needs at least 2 classes."),
            (["--train", good, "--test", good, "--max-tokens", "2147483647"], "error: Options MaxTokens and ModelDimension make a position table"),
        };
        foreach (var (args, error) in cases)
        {
            var run = Classify([.. args, "--epochs", "1", "--model-out", model]);
            Assert.AreEqual(1, run.Code, run.ToString());
            Assert.HasCount(1, run.ErrorLines, run.ToString());
            StringAssert.StartsWith(run.ErrorLines[0], error, run.ToString());
        }

        var shortest = Classify("--train", good, "--test", good, "--epochs", "1", "--max-tokens", "1", "--model-out", model);
        Assert.AreEqual(0, shortest.Code, shortest.ToString());
        Assert.HasCount(1, ClassificationMetrics().Matches(shortest.Output), "--max-tokens 1 trains on each text's first word");
    }

    [TestMethod]
    public void SentenceSimilarity_HostileTextAndNegativeLabels_Train_MissingLabelsAreANote_NaNAndInfinityNameTheLine()
    {
        using var dir = SampleTestData.TempDirectory();
        var pairs = AgentPatientPairs.Make(40, seed: 1);
        string Label(float v) => v.ToString(CultureInfo.InvariantCulture);
        var lines = pairs.Select(p => $"{string.Join(' ', p.Sentence1)}\t{string.Join(' ', p.Sentence2)}\t{Label(2 * p.Label - 1)}").ToList();
        lines.AddRange(HostileFields.Select((t, i) => $"{t}\tthe cat chased the mouse\t{Label(-1 + (i % 3))}"));
        lines.Add("the cat sat\tthe cat sat\t");
        string train = WriteBytes(dir.Path, "train.tsv", "Sentence1\tSentence2\tLabel", lines, invalidLine: 2);

        var run = Similar("--train", train, "--test", train, "--epochs", "1", "--max-tokens", "16");

        Assert.AreEqual(0, run.Code, run.ToString());
        Assert.AreEqual("train.tsv", SimilarityMetrics().Match(run.Output).Groups["name"].Value, run.ToString());
        CollectionAssert.AreEqual(new[] { "note: train.tsv: 1 row with no value in column 'Label' (read as missing and left out of training and metrics)" },
            run.ErrorLines, run.ToString());

        foreach (string bad in new[] { "NaN", "Infinity", "-inf", "1e39" })
        {
            string file = SampleTestData.WriteRaw(dir.Path, "bad.tsv", ["Sentence1", "Sentence2", "Label"], [["a", "b", "0"], ["c", "d", bad]]);
            var failed = Similar("--train", file, "--test", file, "--epochs", "1");
            Assert.AreEqual(1, failed.Code, failed.ToString());
            Assert.AreEqual($"error: file '{file}' line 3: column 'Label' holds '{bad}', not a finite number", failed.ErrorLines.Single(), bad);
        }
    }

    [TestMethod]
    public void SentenceSimilarity_ZeroRowsOneRow_AndMaxTokensPastItsLimit_AreOneErrorLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string header = SampleTestData.WriteRaw(dir.Path, "header.tsv", ["Sentence1", "Sentence2", "Label"], []);
        string one = SampleTestData.WriteRaw(dir.Path, "one.tsv", ["Sentence1", "Sentence2", "Label"], [["the cat", "the dog", "0.5"]]);
        string two = SampleTestData.WriteRaw(dir.Path, "two.tsv", ["Sentence1", "Sentence2", "Label"], [["the cat", "the dog", "0.5"], ["a b", "a b", "1"]]);
        var cases = new (string[] Args, string Error)[]
        {
            (["--train", header, "--test", one], $"error: file '{header}' has a header but no data rows"),
            (["--train", one, "--test", one], "error: The label range [0.5, 0.5] of column 'Label' (1 training rows) is empty"),
            (["--train", two, "--test", two, "--max-tokens", "2147483647"], "error: Options MaxTokens and ModelDimension make a position table"),
        };
        foreach (var (args, error) in cases)
        {
            var run = Similar([.. args, "--epochs", "1"]);
            Assert.AreEqual(1, run.Code, run.ToString());
            Assert.HasCount(1, run.ErrorLines, run.ToString());
            StringAssert.StartsWith(run.ErrorLines[0], error, run.ToString());
        }
    }

    [TestMethod]
    public void DatabaseTraining_HostileTextAndNullLabels_Train_ZeroRowsOneRowAndOneClass_AreOneErrorLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string path = Path.Combine(dir.Path, "mail.db");
        var rows = SampleTestData.SpamOrHam(60, seed: 4, quotes: false).Select(r => ((object)r.Label, (object)r.Text)).ToList();
        rows.AddRange(HostileFields.Select((t, i) => ((object)(i % 2 == 0 ? "spam" : "ham"), (object)t)));
        rows.Add(("ham", HostileText.LoneSurrogates));
        rows.Add((DBNull.Value, "no label"));
        rows.Add(("spam", DBNull.Value));
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE mail (label TEXT, body TEXT); CREATE TABLE empty (label TEXT, body TEXT); CREATE TABLE one (label TEXT, body TEXT); " +
                "INSERT INTO one VALUES ('spam', 'win'); CREATE TABLE same (label TEXT, body TEXT);";
            create.ExecuteNonQuery();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO mail VALUES ($label, $text); INSERT INTO same VALUES ('spam', $text);";
            foreach (var (label, text) in rows)
            {
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$label", label);
                insert.Parameters.AddWithValue("$text", text);
                insert.ExecuteNonQuery();
            }
        }
        string model = Path.Combine(dir.Path, "m.zip");
        string[] Args(string table) => ["--database", path, "--table", table, "--label-column", "label", "--text-column", "body", "--epochs", "1", "--max-tokens", "16", "--model-out", model];

        var run = Database(Args("mail"));

        Assert.AreEqual(0, run.Code, run.ToString());
        StringAssert.Contains(run.Output, "test=mail.db:mail accuracy=");
        CollectionAssert.AreEqual(new[]
        {
            "note: mail.db:mail: 1 row with no label (NULL or empty), left out of training and the metrics",
            "note: mail.db:mail: 1 row with NULL text, read as empty text",
        }, run.ErrorLines, run.ToString());
        Assert.IsTrue(File.Exists(model));

        foreach (var (table, lines) in new[]
        {
            ("empty", new[] { $"error: database '{path}': the table 'empty' has no rows" }),
            ("one", new[] { $"error: database '{path}': 1 rows are too few to split with test fraction 0.25" }),
            // 'same' holds every text of 'mail', its NULL one too.
            ("same", new[] { "note: mail.db:same: 1 row with NULL text, read as empty text", "error: Column 'Label' is a key of 1 value; a classifier needs at least 2 classes." }),
        })
        {
            var failed = Database(Args(table));
            Assert.AreEqual(1, failed.Code, failed.ToString());
            CollectionAssert.AreEqual(lines, failed.ErrorLines, failed.ToString());
        }
    }

    [TestMethod]
    public void SchemeReport_HostileTextRows_TrainAndReport_EmptyAndUnseenLabelsAreCountedNotes_ZeroRowsOneRowOneClassAreOneErrorLine()
    {
        using var dir = SampleTestData.TempDirectory();
        var rows = SampleTestData.SpamOrHam(60, seed: 5, quotes: false).Select(r => $"{r.Label}\t{r.Text}").ToList();
        rows.AddRange(HostileFields.Select((t, i) => $"{(i % 2 == 0 ? "spam" : "ham")}\t{t}"));
        rows.Add("\tan unlabelled row");
        string train = WriteBytes(dir.Path, "train.tsv", "Label\tText", rows, invalidLine: 3);
        string test = WriteBytes(dir.Path, "test.tsv", "Label\tText", [.. rows.Take(20), "phishing\twin a prize", .. HostileFields.Select(t => $"ham\t{t}")], invalidLine: 1);
        string header = SampleTestData.WriteRaw(dir.Path, "header.tsv", ["Label", "Text"], []);
        string oneClass = SampleTestData.WriteRaw(dir.Path, "oneclass.tsv", ["Label", "Text"], SampleTestData.SpamOrHam(20, seed: 2, quotes: false).Select(r => new[] { "spam", r.Text }));
        string one = SampleTestData.WriteRaw(dir.Path, "one.tsv", ["Label", "Text"], [["spam", "win money"]]);
        string report = Path.Combine(dir.Path, "report.html");
        string[] Args(string trainFile, string testFile) =>
            ["--train", trainFile, "--test", testFile, "--schemes", "alibi", "--epochs", "1", "--dimension", "8", "--layers", "1", "--max-tokens", "16", "--out", report];

        var run = SchemeReport(Args(train, test));

        Assert.AreEqual(0, run.Code, run.ToString());
        StringAssert.Contains(run.Output, $"Wrote the report to {report}");
        Assert.HasCount(1, Regex.Matches(run.Output, @"^scheme=alibi accuracy=\d\.\d{4} log_loss=\d+\.\d{4}", RegexOptions.Multiline), run.ToString());
        CollectionAssert.AreEqual(new[]
        {
            "note: train.tsv: 1 row with an empty label, left out of training and validation",
            "note: test.tsv: 1 row with a label not seen in training (or empty), left out of the metrics",
        }, run.ErrorLines, run.ToString());

        foreach (var (trainFile, testFile, error) in new[]
        {
            (header, test, $"error: file '{header}' has a header but no data rows"),
            (train, header, $"error: file '{header}' has a header but no data rows"),
            (one, test, "error: Column 'Label' is a key of 1 value; a classifier needs at least 2 classes."),
            (oneClass, test, "error: Column 'Label' is a key of 1 value; a classifier needs at least 2 classes."),
        })
        {
            var failed = SchemeReport(Args(trainFile, testFile));
            Assert.AreEqual(1, failed.Code, failed.ToString());
            CollectionAssert.AreEqual(new[] { error }, failed.ErrorLines, failed.ToString());
        }
    }
}
