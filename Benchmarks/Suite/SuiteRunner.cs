using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Trainers;

namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// Trains one scheme on one task through the ML.NET pipeline a user writes (TextLoader -> MapValueToKey -> TokenizeToIds ->
/// Transformer classifier; or TokenizeToIds on both sides -> SentenceSimilarity), with the trainers' default options unless
/// overridden, and scores every test file with ML.NET's evaluators.
/// </summary>
public static class SuiteRunner
{
    /// <summary>Runs the task in <paramref name="dir"/> (written by <see cref="SuiteData"/>) with <paramref name="scheme"/>.</summary>
    /// <remarks>
    /// <paramref name="threads"/> sets the trainers' Threads (null: all cores). It changes only the order of float sums, not the
    /// recipe, so results stay comparable; on a crowded machine one thread per run wastes far less time in synchronisation.
    /// </remarks>
    public static SuiteResult Run(SuiteTask task, string dir, string scheme, int? epochs, int? threads, OptionOverrides overrides, int seed, TextWriter log,
        bool confusion = false)
    {
        var tests = SuiteData.TestFiles(dir);
        // Long test files need room for their tokens; the rest keep the trainers' default MaxTokens.
        int? maxTokens = tests.Any(t => t.Name != "1x") ? tests.Max(t => t.Name == "1x" ? 0 : LengthBucket.Longer.First(b => b.Name == t.Name).Max) : null;
        var encoding = SuiteSchemes.Create(scheme, maxTokens ?? 0);
        var watch = Stopwatch.StartNew();
        var result = task.Kind == SuiteTaskKind.Classification
            ? Classify(task, dir, tests, encoding, scheme, maxTokens, epochs, threads, overrides, seed, log, confusion)
            : Similarity(task, dir, tests, encoding, scheme, epochs, threads, overrides, seed, log);
        return result with { Seconds = watch.Elapsed.TotalSeconds };
    }

    private static SuiteResult Classify(SuiteTask task, string dir, IReadOnlyList<(string Name, string Path)> tests, PositionEncoding encoding,
        string scheme, int? maxTokens, int? epochs, int? threads, OptionOverrides overrides, int seed, TextWriter log, bool confusion)
    {
        var ml = new MLContext(seed: seed);
        IDataView Load(string path) => ml.Data.LoadFromTextFile(path,
            [new TextLoader.Column("Label", DataKind.String, 0), new TextLoader.Column("Text", DataKind.String, 1)],
            separatorChar: '\t', hasHeader: true, allowQuoting: false);
        var losses = new List<double>();
        var options = new TransformerClassifierOptions
        {
            FeatureColumnName = "Tokens", PositionEncoding = encoding, Seed = seed, ProgressInterval = 0,
            Progress = new Reporter<TrainingProgress>(p => { if (p.EpochEnd) losses.Add(p.Loss); }),
        };
        if (maxTokens is int m) options.MaxTokens = m;
        if (epochs is int e) options.Epochs = e;
        if (threads is int t) options.Threads = t;
        overrides.Apply(options);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: options.MaxTokens, addClsToken: options.Pooling == Engine.Pooling.Cls))
            .Append(ml.MulticlassClassification.Trainers.Transformer(options));
        var model = pipeline.Fit(ml.Data.Cache(Load(Path.Combine(dir, "train.tsv"))));
        var byLength = new Dictionary<string, double>();
        double? logLoss = null;
        foreach (var (name, path) in tests)
        {
            var scored = model.Transform(Load(path));
            var metrics = ml.MulticlassClassification.Evaluate(scored);
            byLength[name] = metrics.MicroAccuracy;
            if (name == "1x") logLoss = metrics.LogLoss;
            if (confusion)
            {
                VBuffer<ReadOnlyMemory<char>> classes = default;
                scored.Schema["Label"].GetKeyValues(ref classes);
                log.WriteLine($"  {scheme} {name}: classes {string.Join(", ", classes.DenseValues().Select((c, i) => $"{i} = {c}"))}; " +
                    $"per-class log-loss {string.Join(" ", metrics.PerClassLogLoss.Select(v => v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
                log.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
                string errors = Path.Combine(dir, $"errors_{scheme}_{name}.tsv");
                log.WriteLine($"  misclassified rows: {WriteErrors(scored, errors)} in {errors}");
            }
        }
        if (confusion)
        {
            // How well the training rows themselves are fit: tells memorised-but-not-generalised from under-trained.
            string trainPath = Path.Combine(dir, "train.tsv"), errors = Path.Combine(dir, $"errors_{scheme}_train.tsv");
            var scored = model.Transform(Load(trainPath));
            var metrics = ml.MulticlassClassification.Evaluate(scored);
            log.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"  {scheme} train rows: accuracy {metrics.MicroAccuracy:0.0000}, log-loss {metrics.LogLoss:0.0000}; misclassified {WriteErrors(scored, errors)} in {errors}"));
        }
        log.Flush();
        return new SuiteResult("ours", task.Name, scheme, "accuracy", byLength, logLoss, losses.Count, 0, overrides.ToString(), losses);
    }

    private static SuiteResult Similarity(SuiteTask task, string dir, IReadOnlyList<(string Name, string Path)> tests, PositionEncoding encoding,
        string scheme, int? epochs, int? threads, OptionOverrides overrides, int seed, TextWriter log)
    {
        var ml = new MLContext(seed: seed);
        IDataView Load(string path) => ml.Data.LoadFromTextFile(path,
            [new TextLoader.Column("Sentence1", DataKind.String, 0), new TextLoader.Column("Sentence2", DataKind.String, 1),
             new TextLoader.Column("Label", DataKind.Single, 2)],
            separatorChar: '\t', hasHeader: true, allowQuoting: false);
        var train = ml.Data.Cache(Load(Path.Combine(dir, "train.tsv")));
        var losses = new List<double>();
        var options = new SentenceSimilarityOptions
        {
            PositionEncoding = encoding, Seed = seed, ProgressInterval = 0,
            Progress = new Reporter<Engine.SimilarityTrainingProgress>(p => { if (p.EpochEnd) losses.Add(p.Loss); }),
        };
        if (epochs is int e) options = options with { Epochs = e };
        if (threads is int t) options = options with { Threads = t };
        overrides.Apply(options);
        // One vocabulary for both sides, learned from every training sentence (the README's recipe).
        var sentences = ml.Data.LoadFromEnumerable(ReadSentences(train).Select(s => new Sentence { Text = s }));
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: options.MaxTokens, addClsToken: options.Pooling == Engine.Pooling.Cls).Fit(sentences);
        var featurise = new TransformerChain<ITransformer>(tokenizer.WithColumns("Sentence1Tokens", "Sentence1"), tokenizer.WithColumns("Sentence2Tokens", "Sentence2"));
        var similarity = ml.Regression.Trainers.SentenceSimilarity(options).Fit(featurise.Transform(train));
        var model = featurise.Append(similarity);
        var byLength = new Dictionary<string, double>();
        foreach (var (name, path) in tests)
        {
            byLength[name] = ml.Regression.EvaluateCorrelation(model.Transform(Load(path))).SpearmanCorrelation;
        }
        log.Flush();
        return new SuiteResult("ours", task.Name, scheme, "spearman", byLength, null, losses.Count, 0, overrides.ToString(), losses);
    }

    /// <summary>Writes each misclassified row (row number in the test file, label, prediction, text) and returns how many.</summary>
    private static int WriteErrors(IDataView scored, string path)
    {
        VBuffer<ReadOnlyMemory<char>> classes = default;
        scored.Schema["Label"].GetKeyValues(ref classes);
        var names = classes.DenseValues().Select(c => c.ToString()).ToArray();
        var columns = new[] { scored.Schema["Label"], scored.Schema["PredictedLabel"], scored.Schema["Text"] };
        using var cursor = scored.GetRowCursor(columns);
        var label = cursor.GetGetter<uint>(columns[0]);
        var predicted = cursor.GetGetter<uint>(columns[1]);
        var text = cursor.GetGetter<ReadOnlyMemory<char>>(columns[2]);
        uint l = 0, p = 0;
        ReadOnlyMemory<char> t = default;
        int row = 0, count = 0;
        SuiteData.WriteWhole(path, writer =>
        {
            writer.WriteLine("row\tlabel\tpredicted\ttext");
            while (cursor.MoveNext())
            {
                row++;
                label(ref l);
                predicted(ref p);
                if (l == p) continue;
                text(ref t);
                count++;
                writer.WriteLine($"{row}\t{Name(l)}\t{Name(p)}\t{t}");
            }
        });
        return count;

        string Name(uint key) => key >= 1 && key <= names.Length ? names[key - 1] : $"key {key}";
    }

    private static IEnumerable<string> ReadSentences(IDataView pairs)
    {
        using var cursor = pairs.GetRowCursor([pairs.Schema["Sentence1"], pairs.Schema["Sentence2"]]);
        var first = cursor.GetGetter<ReadOnlyMemory<char>>(pairs.Schema["Sentence1"]);
        var second = cursor.GetGetter<ReadOnlyMemory<char>>(pairs.Schema["Sentence2"]);
        ReadOnlyMemory<char> a = default, b = default;
        var all = new List<string>();
        while (cursor.MoveNext())
        {
            first(ref a);
            second(ref b);
            all.Add(a.ToString());
            all.Add(b.ToString());
        }
        return all;
    }

    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Reports synchronously on the training thread.</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
