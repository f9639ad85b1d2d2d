using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents;
using MLComponents.Trainers;

// dotnet run -c Release --project Benchmarks/Streaming -- [--task classifier|similarity] [--rows N] [--buffer 65536] [--epochs 1]
//     [--dir /tmp/mlc-streaming] [--modes streamed,materialised]
// Writes a training TSV (and a 20,000-row test TSV) once, then trains the same small model through the ML.NET pipeline in one
// child process per mode, and prints a table: rows, tokens, wall time, training tokens/s, peak RSS (VmHWM) and the test metric.
// --task classifier (default, 5,000,000 rows): LoadFromTextFile -> MapValueToKey -> TokenizeToIds -> Transformer, test accuracy.
// --task similarity (default 2,000,000 pairs): LoadFromTextFile -> TokenizeToIds on both sentences (one vocabulary) ->
// SentenceSimilarity, test Spearman.
var settings = Settings.Parse(args);
if (settings.Child is { } mode)
{
    return settings.Task == "similarity" ? SimilarityChild.Run(settings, mode) : StreamingChild.Run(settings, mode);
}

Directory.CreateDirectory(settings.Dir);
string train = settings.TrainPath, test = settings.TestPath;
Action<string, long, int> write = settings.Task == "similarity" ? PairCorpus.Write : Corpus.Write;
if (!File.Exists(train)) write(train, settings.Rows, 1);
if (!File.Exists(test)) write(test, 20_000, 2);
Console.WriteLine(FormattableString.Invariant($"{settings.Task}, {train}: {new FileInfo(train).Length / 1e6:F0} MB, {settings.Rows:N0} rows; buffer {settings.Buffer:N0} rows, {settings.Epochs} epoch(s)"));

var results = new List<string[]>();
foreach (var m in settings.Modes)
{
    var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") psi.ArgumentList.Add(typeof(Program).Assembly.Location);
    foreach (var a in args) psi.ArgumentList.Add(a);
    psi.ArgumentList.Add("--child");
    psi.ArgumentList.Add(m);
    using var child = Process.Start(psi)!;
    string? last = null;
    while (child.StandardOutput.ReadLine() is { } line)
    {
        if (line.StartsWith("result\t", StringComparison.Ordinal)) last = line;
        else Console.WriteLine($"  [{m}] {line}");
    }
    child.WaitForExit();
    if (child.ExitCode != 0 || last is null)
    {
        Console.WriteLine($"  [{m}] failed with exit code {child.ExitCode}");
        continue;
    }
    results.Add(last.Split('\t')[1..]);
}

Console.WriteLine();
Console.WriteLine($"| mode | rows | tokens | fit wall s | training s | training tokens/s | peak RSS MB | {(settings.Task == "similarity" ? "test Spearman" : "test accuracy")} |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in results) Console.WriteLine("| " + string.Join(" | ", r) + " |");
return 0;

internal sealed record Settings(string Task, long Rows, int Buffer, int Epochs, string Dir, string[] Modes, string? Child, int Threads)
{
    public string TrainPath => Path.Combine(Dir, Task == "similarity" ? $"pairs-{Rows}.tsv" : $"train-{Rows}.tsv");

    public string TestPath => Path.Combine(Dir, Task == "similarity" ? "pairs-test.tsv" : "test.tsv");

    public static Settings Parse(string[] args)
    {
        long? rows = null;
        int buffer = 65_536, epochs = 1, threads = Environment.ProcessorCount;
        string task = "classifier";
        string dir = Path.Combine(Path.GetTempPath(), "mlc-streaming");
        string[] modes = ["streamed", "materialised"];
        string? child = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option '{args[i]}' needs a value");
            switch (args[i])
            {
                case "--task": task = Next(); break;
                case "--rows": rows = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--buffer": buffer = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--dir": dir = Next(); break;
                case "--modes": modes = Next().Split(','); break;
                case "--child": child = Next(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (task is not ("classifier" or "similarity")) throw new ArgumentException($"--task must be classifier or similarity, got '{task}'");
        return new Settings(task, rows ?? (task == "similarity" ? 2_000_000 : 5_000_000), buffer, epochs, dir, modes, child, threads);
    }
}

/// <summary>
/// A generated corpus with a word-order label: 8-16 words from a 2,000-word vocabulary with two marker words; the label
/// says which marker comes first. Written with a seeded generator, streamed to disk (never held in memory).
/// </summary>
internal static class Corpus
{
    public static void Write(string path, long rows, int seed)
    {
        string temp = path + ".tmp";
        var rng = new Random(seed);
        using (var w = new StreamWriter(temp, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("Label\tText\n");
            var words = new string[16];
            for (long r = 0; r < rows; r++)
            {
                int n = rng.Next(8, 17);
                for (int i = 0; i < n; i++) words[i] = "w" + rng.Next(2000).ToString(CultureInfo.InvariantCulture);
                int a = rng.Next(n), b = (a + 1 + rng.Next(n - 1)) % n;
                words[a] = "alpha";
                words[b] = "beta";
                w.Write(a < b ? "alpha-first\t" : "beta-first\t");
                w.Write(string.Join(' ', words, 0, n));
                w.Write('\n');
                if (r % 1_000_000 == 999_999) Console.WriteLine($"  wrote {r + 1:N0} rows");
            }
        }
        File.Move(temp, path, overwrite: true);
    }
}

internal sealed class Row
{
    [LoadColumn(0)]
    public string Label { get; set; } = "";

    [LoadColumn(1)]
    public string Text { get; set; } = "";
}

internal static class StreamingChild
{
    public static int Run(Settings s, string mode)
    {
        if (mode is not ("streamed" or "materialised")) throw new ArgumentException($"unknown mode '{mode}'");
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromTextFile<Row>(s.TrainPath, separatorChar: '\t', hasHeader: true);
        var test = ml.Data.LoadFromTextFile<Row>(s.TestPath, separatorChar: '\t', hasHeader: true);
        var clock = Stopwatch.StartNew();
        var options = new TransformerClassifierOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 16, Epochs = s.Epochs, BatchSize = 256,
            LearningRate = 3e-3f, Seed = 1, Threads = s.Threads, PositionEncoding = PositionEncoding.Rotary(), ProgressInterval = 2000,
            StreamingBufferRows = mode == "streamed" ? s.Buffer : 0,
            Progress = new Reporter(p => Console.WriteLine(FormattableString.Invariant(
                $"epoch {p.Epoch} step {p.Step:N0}/{p.TotalSteps:N0} loss {p.Loss:F4} {p.TokensPerSecond:N0} tokens/s, {Rss.CurrentMB():F0} MB RSS, {clock.Elapsed.TotalSeconds:F0} s"))),
        };
        // The steps before the trainer (label keys and vocabulary: two passes over the file) are fitted first, so the
        // trainer's own time (reading or streaming the rows, and training) is measured alone.
        var prefix = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16)).Fit(train);
        Console.WriteLine(FormattableString.Invariant($"label keys and vocabulary fitted in {clock.Elapsed.TotalSeconds:F0} s, {Rss.CurrentMB():F0} MB RSS"));
        var trainingClock = Stopwatch.StartNew();
        var predictor = ml.MulticlassClassification.Trainers.Transformer(options).Fit(prefix.Transform(train));
        double trainingSeconds = trainingClock.Elapsed.TotalSeconds, fitSeconds = clock.Elapsed.TotalSeconds;
        var model = prefix.Append(predictor);

        // Tokens trained on per epoch: a pass over the token column after training (not timed).
        long tokens = 0, rows = 0;
        var readClock = Stopwatch.StartNew();
        var tokenized = prefix.Transform(train);
        using (var cursor = tokenized.GetRowCursor([tokenized.Schema["Tokens"]]))
        {
            var get = cursor.GetGetter<VBuffer<int>>(tokenized.Schema["Tokens"]);
            VBuffer<int> buf = default;
            while (cursor.MoveNext())
            {
                get(ref buf);
                tokens += Math.Min(buf.Length, 16);
                rows++;
            }
        }
        Console.WriteLine(FormattableString.Invariant($"one read pass over the tokenised file: {readClock.Elapsed.TotalSeconds:F1} s"));
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Console.WriteLine(FormattableString.Invariant(
            $"result\t{mode}\t{rows:N0}\t{tokens * s.Epochs:N0}\t{fitSeconds:F0}\t{trainingSeconds:F0}\t{tokens * s.Epochs / Math.Max(trainingSeconds, 1e-9):N0}\t{Rss.PeakMB():F0}\t{accuracy:F4}"));
        return 0;
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

/// <summary>
/// A generated pairs corpus with graded similarity: 20 topics of 100 words (w0..w1999; word w's topic is w / 100). A sentence
/// has 8-16 words, each from its topic with probability 0.7, else any word. A pair's label is 1 for two sentences of one topic,
/// 0.5 for neighbouring topics (t and t + 1 mod 20) and 0 otherwise, a third of the pairs each. Streamed to disk.
/// </summary>
internal static class PairCorpus
{
    public static void Write(string path, long rows, int seed)
    {
        string temp = path + ".tmp";
        var rng = new Random(seed);
        var words = new string[16];
        string Sentence(int topic)
        {
            int n = rng.Next(8, 17);
            for (int i = 0; i < n; i++)
            {
                int w = rng.NextDouble() < 0.7 ? topic * 100 + rng.Next(100) : rng.Next(2000);
                words[i] = "w" + w.ToString(CultureInfo.InvariantCulture);
            }
            return string.Join(' ', words, 0, n);
        }
        using (var w = new StreamWriter(temp, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("Label\tSentence1\tSentence2\n");
            for (long r = 0; r < rows; r++)
            {
                int a = rng.Next(20), kind = rng.Next(3);
                int b = kind == 0 ? a : kind == 1 ? (a + 1) % 20 : (a + 2 + rng.Next(17)) % 20;
                w.Write(kind == 0 ? "1\t" : kind == 1 ? "0.5\t" : "0\t");
                w.Write(Sentence(a));
                w.Write('\t');
                w.Write(Sentence(b));
                w.Write('\n');
                if (r % 1_000_000 == 999_999) Console.WriteLine($"  wrote {r + 1:N0} pairs");
            }
        }
        File.Move(temp, path, overwrite: true);
    }
}

internal sealed class PairRow
{
    [LoadColumn(0)]
    public float Label { get; set; }

    [LoadColumn(1)]
    public string Sentence1 { get; set; } = "";

    [LoadColumn(2)]
    public string Sentence2 { get; set; } = "";
}

internal static class SimilarityChild
{
    public static int Run(Settings s, string mode)
    {
        if (mode is not ("streamed" or "materialised")) throw new ArgumentException($"unknown mode '{mode}'");
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromTextFile<PairRow>(s.TrainPath, separatorChar: '\t', hasHeader: true);
        var test = ml.Data.LoadFromTextFile<PairRow>(s.TestPath, separatorChar: '\t', hasHeader: true);
        var clock = Stopwatch.StartNew();
        var options = new SentenceSimilarityOptions
        {
            Sentence1ColumnName = "Tokens1", Sentence2ColumnName = "Tokens2", Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32,
            MaxTokens = 16, Epochs = s.Epochs, BatchSize = 256, LearningRate = 3e-3, Seed = 1, Threads = s.Threads, LabelMin = 0, LabelMax = 1,
            PositionEncoding = PositionEncoding.Rotary(), ProgressInterval = 2000,
            StreamingBufferRows = mode == "streamed" ? s.Buffer : 0,
            Progress = new Reporter(p => Console.WriteLine(FormattableString.Invariant(
                $"epoch {p.Epoch} step {p.Step:N0} loss {p.Loss:F4} {p.TokensPerSecond:N0} tokens/s, {Rss.CurrentMB():F0} MB RSS, {clock.Elapsed.TotalSeconds:F0} s"))),
        };
        // One vocabulary for both sides: fitted on the first sentences (every word of the corpus occurs there) and applied to
        // both columns; fitted before the trainer, so the trainer's own time (reading or streaming the pairs, and training) is measured alone.
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens1", "Sentence1", maxTokens: 16).Fit(train);
        var prefix = new TransformerChain<ITransformer>(tokenizer, tokenizer.WithColumns("Tokens2", "Sentence2"));
        Console.WriteLine(FormattableString.Invariant($"vocabulary fitted in {clock.Elapsed.TotalSeconds:F0} s, {Rss.CurrentMB():F0} MB RSS"));
        var trainingClock = Stopwatch.StartNew();
        var similarity = ml.Regression.Trainers.SentenceSimilarity(options).Fit(prefix.Transform(train));
        double trainingSeconds = trainingClock.Elapsed.TotalSeconds, fitSeconds = clock.Elapsed.TotalSeconds;

        // Tokens trained on per epoch (both sides): a pass over the token columns after training (not timed).
        long tokens = 0, rows = 0;
        var tokenized = prefix.Transform(train);
        var columns = new[] { tokenized.Schema["Tokens1"], tokenized.Schema["Tokens2"] };
        using (var cursor = tokenized.GetRowCursor(columns))
        {
            var get1 = cursor.GetGetter<VBuffer<int>>(columns[0]);
            var get2 = cursor.GetGetter<VBuffer<int>>(columns[1]);
            VBuffer<int> b1 = default, b2 = default;
            while (cursor.MoveNext())
            {
                get1(ref b1);
                get2(ref b2);
                tokens += Math.Min(b1.Length, 16) + Math.Min(b2.Length, 16);
                rows++;
            }
        }
        double spearman = ml.Regression.EvaluateCorrelation(similarity.Transform(prefix.Transform(test))).SpearmanCorrelation;
        Console.WriteLine(FormattableString.Invariant(
            $"result\t{mode}\t{rows:N0}\t{tokens * s.Epochs:N0}\t{fitSeconds:F0}\t{trainingSeconds:F0}\t{tokens * s.Epochs / Math.Max(trainingSeconds, 1e-9):N0}\t{Rss.PeakMB():F0}\t{spearman:F4}"));
        return 0;
    }

    private sealed class Reporter(Action<MLComponents.Engine.SimilarityTrainingProgress> report) : IProgress<MLComponents.Engine.SimilarityTrainingProgress>
    {
        public void Report(MLComponents.Engine.SimilarityTrainingProgress value) => report(value);
    }
}

internal static class Rss
{
    private static double Field(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
                return double.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        return double.NaN;
    }

    public static double PeakMB() => Field("VmHWM:");

    public static double CurrentMB() => Field("VmRSS:");
}
