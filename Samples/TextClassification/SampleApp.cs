using System.Globalization;
using MLComponents.Trainers;

namespace MLComponents.Samples.TextClassification;

/// <summary>
/// The text-classification sample: trains the Transformer classifier (MapValueToKey -> TokenizeToIds -> Transformer
/// -> MapKeyToValue), prints per-epoch progress and one metrics line per test set, saves the model, reloads it and
/// predicts a few sentences.
/// </summary>
/// <remarks>
/// Test rows whose label was not seen in training (or is empty) get key 0 from MapValueToKey and are left out of the
/// metrics, as ML.NET's evaluator does; the sample says how many on standard error.
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
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args is ["--help"] or ["-h"])
        {
            stdout.WriteLine(SampleArguments.Usage);
            return 0;
        }
        SampleArguments a;
        try
        {
            a = SampleArguments.Parse(args);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"error: {e.Message} (--help shows the usage)");
            return 2;
        }
        try
        {
            Train(a, stdout, stderr);
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            return 1;
        }
    }

    private static void Train(SampleArguments a, TextWriter stdout, TextWriter stderr)
    {
        var ml = new MLContext(seed: a.Seed);
        IDataView train;
        List<(string Name, IDataView Data)> tests = [];
        if (a.TrainFile is null)
        {
            stdout.WriteLine("Training on the embedded 'who did it?' data (the label is the animal that acts; word order decides it).");
            train = ml.Data.LoadFromEnumerable(Generate(1500, seed: 11));
            tests.Add(("whodidit-test", ml.Data.LoadFromEnumerable(Generate(500, seed: 12))));
        }
        else
        {
            train = LoadTsv(ml, a.TrainFile, a);
            foreach (var f in a.TestFiles) tests.Add((Path.GetFileName(f), LoadTsv(ml, f, a)));
        }

        var options = new TransformerClassifierOptions
        {
            FeatureColumnName = "Tokens",
            PositionEncoding = a.CreateEncoding(),
            MaxTokens = a.MaxTokens,
            Epochs = a.Epochs ?? 6,
            Progress = new ProgressPrinter(stdout),
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: a.MaxTokens))
            .Append(ml.MulticlassClassification.Trainers.Transformer(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(train);

        foreach (var (name, data) in tests)
        {
            var scored = model.Transform(data);
            long unseen = CountMissingLabels(scored);
            if (unseen > 0)
                stderr.WriteLine($"note: {unseen} rows of {name} have a label not seen in training (or empty); they are left out of the metrics");
            var m = ml.MulticlassClassification.Evaluate(scored);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test={name} accuracy={m.MicroAccuracy:0.0000} macro_accuracy={m.MacroAccuracy:0.0000} log_loss={m.LogLoss:0.0000}"));
        }

        string path = a.ModelOut ?? Path.Combine(Path.GetTempPath(), "mlcomponents-text-classification.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        stdout.WriteLine($"Saved the model to {path} and reloaded it.");
        if (a.TrainFile is null)
        {
            using var engine = ml.Model.CreatePredictionEngine<Review, ReviewPrediction>(loaded);
            foreach (string text in Examples)
            {
                var p = engine.Predict(new Review { Text = text });
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"{text}\" -> {p.PredictedLabel} ({p.Score.Max():0.00})"));
            }
        }
    }

    private static IDataView LoadTsv(MLContext ml, string path, SampleArguments a)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"file '{path}' not found");
        using (var reader = new StreamReader(path))
        {
            string header = reader.ReadLine() ?? throw new InvalidDataException($"file '{path}' is empty (a header row with '{a.LabelColumn}' and '{a.TextColumn}' is expected)");
            var names = header.Split('\t').Select(n => n.Trim()).ToArray();
            foreach (string col in new[] { a.LabelColumn, a.TextColumn })
            {
                if (!names.Contains(col))
                    throw new InvalidDataException($"file '{path}' has no column '{col}' in its header (columns: {string.Join(", ", names)})");
            }
        }
        var data = ml.Data.LoadFromTextFile(path,
            [new TextLoader.Column("Label", DataKind.String, a.LabelColumn), new TextLoader.Column("Text", DataKind.String, a.TextColumn)],
            separatorChar: '\t', hasHeader: true);
        return ml.Data.Cache(data);
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

    private static IEnumerable<Review> Generate(int count, int seed) =>
        WhoDidItData.Generate(count, seed).Select(x => new Review { Label = x.Label, Text = x.Text }).ToList();

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Prints one line per epoch, synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ProgressPrinter(TextWriter output) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (!value.EpochEnd) return;
            string validation = value.ValidationAccuracy is double acc
                ? string.Create(CultureInfo.InvariantCulture, $" val_accuracy={acc:0.0000} val_log_loss={value.ValidationLogLoss:0.0000}") : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {value.Epoch} step {value.Step}/{value.TotalSteps} loss={value.Loss:0.0000} tokens/s={value.TokensPerSecond:0}{validation} truncated={value.TruncatedSequences}"));
        }
    }
}
