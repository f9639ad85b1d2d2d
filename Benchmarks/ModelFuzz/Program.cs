using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLComponents;
using MLComponents.ModelFuzz;

// dotnet run -c Release --project Benchmarks/ModelFuzz -- [--count N] [--seed S] [--dir path]
//   Builds the source models, then loads N damaged variants in watched worker processes and prints the counts.
// (worker mode, started by the harness: MLComponents.ModelFuzz worker <dir> <from> <to> <seed>)
if (args.Length >= 1 && args[0] == "worker") return Worker.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));

int count = Option("--count", 10_000), seed = Option("--seed", 20261129);
string dir = OptionText("--dir") ?? Path.Combine(Path.GetTempPath(), "mlc-modelfuzz");
Console.WriteLine($"Building the source models in {dir} ...");
SourceModels.Build(dir);
foreach (var name in SourceModels.Names) Console.WriteLine($"  {name}.zip  {new FileInfo(Path.Combine(dir, name + ".zip")).Length,10:N0} bytes");
var result = Harness.Run(dir, count, seed);
result.Print(Console.Out);
return result.Crashes + result.Hangs + result.OverCap + result.Unexpected + result.Different == 0 ? 0 : 1;

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string? OptionText(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>What the harness counted.</summary>
internal sealed class HarnessResult
{
    public SortedDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);
    public int Crashes { get; set; }
    public int Hangs { get; set; }
    public int OverCap { get; set; }
    public int Unexpected { get; set; }
    public int Different { get; set; }
    public double MaxMilliseconds { get; set; }
    public double MaxAllocatedMB { get; set; }
    public int Total { get; set; }
    public List<string> Problems { get; } = [];

    public void Print(TextWriter w)
    {
        w.WriteLine($"{Total} variants: {Crashes} crashes, {Hangs} hangs (> {Harness.HangSeconds} s of CPU time or a minute), {OverCap} past the {Harness.CapMB} MB allocation cap, " +
            $"{Unexpected} exceptions other than ModelFormatException, {Different} silently different models (other than whole entries swapped in from another model)");
        w.WriteLine(FormattableString.Invariant($"slowest {MaxMilliseconds:F0} ms (wall clock), most allocated {MaxAllocatedMB:F1} MB"));
        foreach (var (key, n) in Outcomes) w.WriteLine($"{n,7}  {key}");
        foreach (var p in Problems.Take(20)) w.WriteLine($"  problem: {p}");
    }
}

/// <summary>Runs the variants in worker processes and watches them: a worker that dies is a crash, one that takes too long a hang.</summary>
internal static class Harness
{
    public const int HangSeconds = 5;
    public const int CapMB = 256;
    private const int Batch = 500;

    public static HarnessResult Run(string dir, int count, int seed)
    {
        var result = new HarnessResult();
        var clock = Stopwatch.StartNew();
        for (int next = 0; next < count;)
        {
            int to = Math.Min(count, next + Batch);
            next = RunWorker(dir, next, to, seed, result);
            Console.Error.Write($"\r{next}/{count} variants, {clock.Elapsed:hh\\:mm\\:ss}");
        }
        Console.Error.WriteLine();
        return result;
    }

    /// <summary>Runs variants [from, to) in one worker; returns the index to go on from (past a crash or hang).</summary>
    private static int RunWorker(string dir, int from, int to, int seed, HarnessResult result)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Environment.GetCommandLineArgs()[0], "worker", dir, from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) != "dotnet") start.ArgumentList.RemoveAt(0);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        int current = from;
        while (true)
        {
            var read = process.StandardOutput.ReadLineAsync();
            // A hang is a variant that takes more than HangSeconds of the worker's CPU time (a spinning loop), or a minute of
            // wall-clock time (a wait that never ends). Wall-clock alone misjudges a machine whose other jobs starve the worker.
            var cpuAtStart = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            bool hung = false;
            while (!read.Wait(TimeSpan.FromMilliseconds(500)))
            {
                process.Refresh();
                // The first variant waits for the worker to build its baseline predictions.
                double cpu = (process.TotalProcessorTime - cpuAtStart).TotalSeconds, limit = current == from ? 120 : HangSeconds;
                if (cpu > limit || wall.Elapsed.TotalSeconds > (current == from ? 600 : 60))
                {
                    hung = true;
                    break;
                }
            }
            if (hung)
            {
                process.Kill(entireProcessTree: true);
                result.Hangs++;
                result.Total++;
                result.Problems.Add($"variant {current}: no answer within {HangSeconds} s of CPU time or a minute");
                return current + 1;
            }
            string? line = read.Result;
            if (line is null)
            {
                process.WaitForExit();
                if (current >= to) return to;
                result.Crashes++;
                result.Total++;
                result.Problems.Add($"variant {current}: the worker died (exit {process.ExitCode}): {stderr.Result.Split('\n').FirstOrDefault()}");
                return current + 1;
            }
            var parts = line.Split('\t');
            if (parts[0] == "begin")
            {
                current = int.Parse(parts[1], CultureInfo.InvariantCulture);
                continue;
            }
            if (parts[0] != "end") continue;
            current = int.Parse(parts[1], CultureInfo.InvariantCulture) + 1;
            // end <index> <kind> <outcome> <wall ms> <allocated MB> <detail> <cpu ms>
            string kind = parts[2], outcome = parts[3];
            double ms = double.Parse(parts[4], CultureInfo.InvariantCulture), mb = double.Parse(parts[5], CultureInfo.InvariantCulture);
            result.Total++;
            result.MaxMilliseconds = Math.Max(result.MaxMilliseconds, ms);
            result.MaxAllocatedMB = Math.Max(result.MaxAllocatedMB, mb);
            if (double.Parse(parts[7], CultureInfo.InvariantCulture) > HangSeconds * 1000)
            {
                result.Hangs++;
                result.Problems.Add($"variant {parts[1]} ({kind}) took {parts[7]} ms of CPU time");
            }
            if (mb > CapMB)
            {
                result.OverCap++;
                result.Problems.Add($"variant {parts[1]} ({kind}) allocated {mb:F0} MB");
            }
            if (outcome.StartsWith("unexpected", StringComparison.Ordinal))
            {
                result.Unexpected++;
                result.Problems.Add($"variant {parts[1]} ({kind}): {parts[6]}");
            }
            // A whole entry of another model keeps its own CRC: the result can be a valid, different model. Any other change must not load silently.
            if (outcome == "loads, different predictions" && kind != "entry swapped between models")
            {
                result.Different++;
                result.Problems.Add($"variant {parts[1]} ({kind}) loaded but predicts differently");
            }
            string key = $"{kind}: {outcome}";
            result.Outcomes[key] = result.Outcomes.GetValueOrDefault(key) + 1;
        }
    }
}

/// <summary>Loads variants one after another and reports each on standard output.</summary>
internal static class Worker
{
    public static int Run(string dir, int from, int to, int seed)
    {
        var sources = SourceModels.Names.Select(n => File.ReadAllBytes(Path.Combine(dir, n + ".zip"))).ToArray();
        var baseline = sources.Select((b, i) =>
        {
            var ml = new MLContext(seed: 1);
            var model = ml.Model.LoadVerified(new MemoryStream(b), SourceModels.Names[i], out _);
            return SourceModels.Predict(ml, model, SourceModels.Names[i]);
        }).ToArray();
        for (int i = from; i < to; i++)
        {
            int s = i % sources.Length;
            var mutant = ModelMutations.Create(sources[s], sources[(s + 1) % sources.Length], seed, i);
            Console.WriteLine($"begin\t{i}");
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            string outcome, detail = "";
            try
            {
                var ml = new MLContext(seed: 1);
                var model = ml.Model.LoadVerified(new MemoryStream(mutant.Bytes), $"{SourceModels.Names[s]}-mutant-{i}.zip", out _);
                outcome = SourceModels.Predict(ml, model, SourceModels.Names[s]) == baseline[s] ? "loads, same predictions" : "loads, different predictions";
            }
            catch (ModelFormatException e)
            {
                outcome = $"refused ({(e.Message.StartsWith("Saved component ", StringComparison.Ordinal) ? "component entry" : e.Entry is null ? "file" : "zip entry")})";
                detail = e.Message;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                outcome = $"unexpected {e.GetType().Name}";
                detail = e.Message.ReplaceLineEndings(" ");
            }
            double ms = clock.Elapsed.TotalMilliseconds;
            double mb = (GC.GetTotalAllocatedBytes(precise: true) - before) / (1024.0 * 1024.0);
            double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
            Console.WriteLine(FormattableString.Invariant($"end\t{i}\t{mutant.Kind}\t{outcome}\t{ms:F1}\t{mb:F2}\t{detail.Replace('\t', ' ')}\t{cpuMs:F1}"));
        }
        return 0;
    }
}
