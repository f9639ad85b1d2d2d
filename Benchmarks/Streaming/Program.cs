using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents;
using MLComponents.Trainers;

// dotnet run -c Release --project Benchmarks/Streaming -- [--rows 5000000] [--buffer 65536] [--epochs 1] [--dir /tmp/mlc-streaming] [--modes streamed,materialised]
// Writes train.tsv (and a 20,000-row test.tsv) once, then trains the same small Transformer classifier through the ML.NET
// pipeline (LoadFromTextFile -> MapValueToKey -> TokenizeToIds -> Transformer) in one child process per mode, and prints
// a table: rows, tokens, wall time, training tokens/s, peak RSS (VmHWM) and test accuracy.
var settings = Settings.Parse(args);
if (settings.Child is { } mode)
{
    return StreamingChild.Run(settings, mode);
}

Directory.CreateDirectory(settings.Dir);
string train = Path.Combine(settings.Dir, $"train-{settings.Rows}.tsv"), test = Path.Combine(settings.Dir, "test.tsv");
if (!File.Exists(train)) Corpus.Write(train, settings.Rows, seed: 1);
if (!File.Exists(test)) Corpus.Write(test, 20_000, seed: 2);
Console.WriteLine(FormattableString.Invariant($"{train}: {new FileInfo(train).Length / 1e6:F0} MB, {settings.Rows:N0} rows; buffer {settings.Buffer:N0} rows, {settings.Epochs} epoch(s)"));

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
Console.WriteLine("| mode | rows | tokens | fit wall s | training s | training tokens/s | peak RSS MB | test accuracy |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in results) Console.WriteLine("| " + string.Join(" | ", r) + " |");
return 0;

internal sealed record Settings(long Rows, int Buffer, int Epochs, string Dir, string[] Modes, string? Child, int Threads)
{
    public static Settings Parse(string[] args)
    {
        long rows = 5_000_000;
        int buffer = 65_536, epochs = 1, threads = Environment.ProcessorCount;
        string dir = Path.Combine(Path.GetTempPath(), "mlc-streaming");
        string[] modes = ["streamed", "materialised"];
        string? child = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option '{args[i]}' needs a value");
            switch (args[i])
            {
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
        return new Settings(rows, buffer, epochs, dir, modes, child, threads);
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
        var train = ml.Data.LoadFromTextFile<Row>(Path.Combine(s.Dir, $"train-{s.Rows}.tsv"), separatorChar: '\t', hasHeader: true);
        var test = ml.Data.LoadFromTextFile<Row>(Path.Combine(s.Dir, "test.tsv"), separatorChar: '\t', hasHeader: true);
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
