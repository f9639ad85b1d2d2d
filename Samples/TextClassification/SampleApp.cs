using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Progress;
using MLComponents.Samples.Tsv;
using MLComponents.Trainers;
using Spectre.Console;

namespace MLComponents.Samples.TextClassification;

/// <summary>
/// The text-classification sample: trains the Transformer classifier in an ML.NET pipeline (MapValueToKey -> TokenizeToIds ->
/// Transformer -> MapKeyToValue), shows progress, prints one metrics line per test set (ML.NET's evaluator), saves the model
/// as an ML.NET .zip, reloads it and predicts a few sentences.
/// </summary>
/// <remarks>
/// TSV files load through ML.NET's TextLoader (<see cref="TsvFile"/>: quotes read per <c>--quoting</c>, every row checked).
/// Rows whose label is empty, or in a test file not seen in training, get key 0 from MapValueToKey: training skips them and
/// ML.NET's evaluator leaves them out; the sample says how many on standard error.
/// </remarks>
public static class SampleApp
{
    private static readonly string[] Examples =
    [
        "the cat chased the dog",
        "the dog was chased by the cat",
        "yesterday the owl was quietly helped by the fox near the river",
        "the fox angrily bit the owl twice",
    ];

    /// <summary>Runs the sample; returns the process exit code (0 ok, 1 failure, 2 bad arguments).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Progress lines, metrics, predictions.</param>
    /// <param name="stderr">Notes and the one-line error.</param>
    /// <param name="terminal">An interactive terminal for a live progress bar, or null for plain per-epoch lines.</param>
    /// <param name="cancellationToken">Stops training between steps (exit code 130).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IAnsiConsole? terminal = null, CancellationToken cancellationToken = default)
    {
        var command = new ClassificationCommand();
        return SampleCommandLine.Invoke(command.Command, args, stdout, stderr, command.Check, parsed =>
        {
            Train(command.Read(parsed), stdout, stderr, TrainingDisplay.For(terminal, stdout), cancellationToken);
            return 0;
        });
    }

    private static void Train(ClassificationSettings s, TextWriter stdout, TextWriter stderr, TrainingDisplay display, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: s.Seed);
        IDataView train;
        string trainName;
        List<(string Name, IDataView Data)> tests = [];
        if (s.TrainFile is null)
        {
            stdout.WriteLine("Training on the embedded 'who did it?' data (the label is the animal that acts; word order decides it).");
            train = ml.Data.LoadFromEnumerable(Generate(1500, seed: 11));
            trainName = "whodidit-train";
            tests.Add(("whodidit-test", ml.Data.LoadFromEnumerable(Generate(500, seed: 12))));
        }
        else
        {
            train = LoadTsv(ml, s.TrainFile, s, stderr);
            trainName = Path.GetFileName(s.TrainFile);
            foreach (var f in s.TestFiles) tests.Add((Path.GetFileName(f), TsvFile.SameFile(f, s.TrainFile) ? train : LoadTsv(ml, f, s, stderr)));
        }

        var model = ClassifierPipeline.Fit(ml, train, s.CreateEncoding(), s.MaxTokens, s.Epochs, s.Backend, s.Device, display, cancellationToken);
        long unlabelled = CountMissingLabels(model.Transform(train));
        if (unlabelled > 0)
            stderr.WriteLine($"note: {trainName}: {Plural.Count(unlabelled, "row")} with an empty label, skipped in training");

        foreach (var (name, data) in tests)
        {
            var scored = model.Transform(data);
            long unseen = CountMissingLabels(scored);
            if (unseen > 0)
                stderr.WriteLine($"note: {name}: {Plural.Count(unseen, "row")} with a label not seen in training (or empty), left out of the metrics");
            var m = ml.MulticlassClassification.Evaluate(scored);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test={name} accuracy={m.MicroAccuracy:0.0000} macro_accuracy={m.MacroAccuracy:0.0000} log_loss={m.LogLoss:0.0000}"));
        }

        string path = s.ModelOut ?? Path.Combine(Path.GetTempPath(), "mlcomponents-text-classification.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        stdout.WriteLine($"Saved the model to {path} and reloaded it.");
        if (s.TrainFile is null)
        {
            using var engine = ml.Model.CreatePredictionEngine<Review, ReviewPrediction>(loaded);
            foreach (string text in Examples)
            {
                var p = engine.Predict(new Review { Text = text });
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"{text}\" -> {p.PredictedLabel} ({p.Score.Max():0.00})"));
            }
        }
    }

    /// <summary>Loads a TSV's label and text columns (by header name) and caches it: training reads it once per epoch.</summary>
    private static IDataView LoadTsv(MLContext ml, string path, ClassificationSettings s, TextWriter stderr)
    {
        var data = TsvFile.Load(ml, path,
            [new TsvColumn("Label", DataKind.String, s.LabelColumn), new TsvColumn("Text", DataKind.String, s.TextColumn)], s.Quoting);
        foreach (string note in data.Notes) stderr.WriteLine($"note: {Path.GetFileName(path)}: {note}");
        return ml.Data.Cache(data.View);
    }

    private static long CountMissingLabels(IDataView scored)
    {
        var label = scored.Schema["Label"];
        using var cursor = scored.GetRowCursor([label]);
        var get = cursor.GetGetter<uint>(label);
        uint key = 0;
        long missing = 0;
        while (cursor.MoveNext())
        {
            get(ref key);
            if (key == 0) missing++;
        }
        return missing;
    }

    private static List<Review> Generate(int count, int seed) =>
        [.. WhoDidItData.Generate(count, seed).Select(x => new Review { Label = x.Label, Text = x.Text })];
}
