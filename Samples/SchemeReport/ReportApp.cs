using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Progress;
using MLComponents.Samples.Tsv;
using Spectre.Console;

namespace MLComponents.Samples.SchemeReport;

/// <summary>
/// The scheme-comparison report: trains the Transformer classifier once per chosen position scheme on the user's TSV (label and
/// text columns found by header name, loaded as the TextClassification sample loads them) or the embedded marker-order data,
/// prints a console table and writes one self-contained HTML report.
/// </summary>
public static class ReportApp
{
    /// <summary>Runs the report; returns the process exit code (0 ok, 1 failure, 2 bad arguments, 130 cancelled).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Progress lines, the table and the report's path.</param>
    /// <param name="stderr">Notes and the one-line error.</param>
    /// <param name="terminal">An interactive terminal for a live progress bar, or null for plain per-epoch lines.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IAnsiConsole? terminal = null, CancellationToken cancellationToken = default)
    {
        var command = new ReportCommand();
        return SampleCommandLine.Invoke(command.Command, args, stdout, stderr, command.Check, parsed =>
        {
            Report(command.Read(parsed), stdout, stderr, TrainingDisplay.For(terminal, stdout), cancellationToken);
            return 0;
        });
    }

    private static void Report(ReportSettings s, TextWriter stdout, TextWriter stderr, TrainingDisplay display, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: s.Seed);
        IDataView all, test;
        string description;
        if (s.TrainFile is null)
        {
            description = "Embedded marker-order data: fillers plus 'alpha' and 'beta' once each, the label is the marker that comes first " +
                "(a bag of words is at chance). Training sentences have 8-32 tokens, test sentences 8-128 (up to 4x longer).";
            stdout.WriteLine("Training on the embedded marker-order data (train 8-32 tokens, test 8-128).");
            all = ml.Data.LoadFromEnumerable(DefaultData.Generate(2000, 8, 32, seed: 21));
            test = ml.Data.LoadFromEnumerable(DefaultData.Generate(800, 8, 128, seed: 22));
        }
        else
        {
            all = LoadTsv(ml, s.TrainFile, s, stderr);
            test = ml.Data.LoadFromEnumerable(s.TestFiles.SelectMany(f => Rows(LoadTsv(ml, f, s, stderr))).ToList());
            description = $"Trained on {Path.GetFileName(s.TrainFile)}, tested on {string.Join(", ", s.TestFiles.Select(Path.GetFileName))}.";
        }
        var split = ml.Data.TrainTestSplit(all, testFraction: 0.1, seed: s.Seed);
        var train = ml.Data.Cache(split.TrainSet);
        var validation = ml.Data.Cache(split.TestSet);

        var results = new List<SchemeResult>();
        foreach (string scheme in s.Schemes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var r = SchemeTraining.Run(ml, scheme, train, validation, test, s, display, cancellationToken);
            results.Add(r);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scheme={scheme} accuracy={r.Accuracy:0.0000} log_loss={r.LogLoss:0.0000} best_epoch={r.BestEpoch} seconds={r.Seconds:0}"));
        }
        // After training, so that a run that fails prints its one error line alone.
        if (s.TrainFile is not null) NoteMissingLabels(all, split.TrainSet, test, s, stderr);
        PrintTable(results, stdout);
        string path = Path.GetFullPath(s.Output);
        string? folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        File.WriteAllText(path, HtmlReport.Build(results, description, s));
        stdout.WriteLine($"Wrote the report to {path}");
    }

    /// <summary>The console table: a row per scheme, accuracy per length bucket.</summary>
    private static void PrintTable(IReadOnlyList<SchemeResult> results, TextWriter stdout)
    {
        var buckets = results.SelectMany(r => r.ByLength).Select(b => (b.Max, b.Bucket)).Distinct().OrderBy(b => b.Max).ToList();
        stdout.WriteLine();
        stdout.WriteLine($"{"scheme",-11} {"accuracy",8} {"log-loss",8} {string.Join(" ", buckets.Select(b => $"{b.Bucket,8}"))}");
        foreach (var r in results)
        {
            var cells = buckets.Select(b => r.ByLength.FirstOrDefault(x => x.Max == b.Max) is { } at
                ? at.Accuracy.ToString("0.0000", CultureInfo.InvariantCulture).PadLeft(8) : "       -");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Scheme,-11} {r.Accuracy,8:0.0000} {r.LogLoss,8:0.0000} {string.Join(" ", cells)}"));
        }
        stdout.WriteLine($"(accuracy by test-sentence length in tokens: {string.Join(", ", buckets.Select(b => b.Bucket))})");
    }

    /// <summary>
    /// Counts what the metrics leave out, as the TextClassification sample does: rows with an empty label (a missing key to
    /// MapValueToKey, so no training or validation row) and test rows whose label the training split never had (ML.NET's
    /// evaluator skips them).
    /// </summary>
    private static void NoteMissingLabels(IDataView all, IDataView train, IDataView test, ReportSettings s, TextWriter stderr)
    {
        long unlabelled = all.GetColumn<ReadOnlyMemory<char>>("Label").LongCount(l => l.IsEmpty);
        if (unlabelled > 0)
            stderr.WriteLine($"note: {Path.GetFileName(s.TrainFile)}: {Plural.Count(unlabelled, "row")} with an empty label, left out of training and validation");
        var known = train.GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
        long unseen = test.GetColumn<ReadOnlyMemory<char>>("Label").LongCount(l => !known.Contains(l.ToString()));
        if (unseen > 0)
            stderr.WriteLine($"note: {string.Join(", ", s.TestFiles.Select(Path.GetFileName))}: {Plural.Count(unseen, "row")} with a label not seen in training (or empty), left out of the metrics");
    }

    private static IDataView LoadTsv(MLContext ml, string path, ReportSettings s, TextWriter stderr)
    {
        var data = TsvFile.Load(ml, path,
            [new TsvColumn("Label", DataKind.String, s.LabelColumn), new TsvColumn("Text", DataKind.String, s.TextColumn)], s.Quoting);
        foreach (string note in data.Notes) stderr.WriteLine($"note: {Path.GetFileName(path)}: {note}");
        return ml.Data.Cache(data.View);
    }

    private static IEnumerable<LabelledRow> Rows(IDataView view)
    {
        var label = view.Schema["Label"];
        var text = view.Schema["Text"];
        using var cursor = view.GetRowCursor([label, text]);
        var getLabel = cursor.GetGetter<ReadOnlyMemory<char>>(label);
        var getText = cursor.GetGetter<ReadOnlyMemory<char>>(text);
        ReadOnlyMemory<char> l = default, t = default;
        var rows = new List<LabelledRow>();
        while (cursor.MoveNext())
        {
            getLabel(ref l);
            getText(ref t);
            rows.Add(new LabelledRow { Label = l.ToString(), Text = t.ToString() });
        }
        return rows;
    }
}
