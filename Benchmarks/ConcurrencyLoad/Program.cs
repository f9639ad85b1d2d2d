using System.Diagnostics;
using System.Globalization;
using MLComponents.UnitTests.Reliability;

// dotnet run -c Release --project Benchmarks/ConcurrencyLoad -- [--seconds 60] [--threads 8] [--warmup 10] [--sample 5]
// Exit code: 0 when every result matched the single-threaded one, nothing threw and memory stayed flat after warm-up; 1 otherwise.
var options = ParseOptions(args);
if (options is null)
{
    Console.Error.WriteLine("usage: ConcurrencyLoad [--seconds N] [--threads N] [--warmup N] [--sample N]");
    return 2;
}
var (seconds, threads, warmup, sample) = options.Value;
var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(inv, $"ConcurrencyLoad: {threads} threads for {seconds} s (warm-up {warmup} s, a sample every {sample} s) on {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}"));

var setup = Stopwatch.StartNew();
using var workload = ConcurrencyWorkload.Create();
Console.WriteLine(string.Create(inv, $"models trained, saved, loaded and single-threaded results computed in {setup.Elapsed.TotalSeconds:F1} s: {workload.Texts.Count} texts (the 5 MB line and the hostile classes among them), {workload.Pairs.Count} pairs"));

// Throughput: the same calls on one thread and on all of them, 5 s each after 2 s of warm-up.
foreach (var (name, call, perRound) in new (string, Func<ConcurrencyWorkload.Worker, int, long>, int)[]
{
    ("classifier Predict", (w, r) => w.ClassifyAll(r), workload.Texts.Count),
    ("similarity Predict", (w, r) => w.ScoreAll(r), workload.Pairs.Count),
    ("generator GenerateAsync (texts)", (w, _) => w.EmbedAll(), workload.Texts.Count),
})
{
    double one = Throughput(workload, 1, call, perRound), many = Throughput(workload, threads, call, perRound);
    Console.WriteLine(string.Create(inv, $"throughput {name}: 1 thread {one:F0}/s, {threads} threads {many:F0}/s ({many / one:F2}x)"));
}

// The load: every thread cycles through the three workloads, results checked; a sampler records memory after warm-up.
var stop = new CancellationTokenSource();
var samples = new List<(double Seconds, double ManagedMb, double RssMb, long Rounds)>();
long roundsDone = 0;
var clock = Stopwatch.StartNew();
var sampler = new Thread(() =>
{
    using var process = Process.GetCurrentProcess();
    var next = TimeSpan.FromSeconds(warmup);
    while (!stop.IsCancellationRequested)
    {
        if (clock.Elapsed < next)
        {
            Thread.Sleep(100);
            continue;
        }
        next += TimeSpan.FromSeconds(sample);
        // A full collection first, so the managed figure is what is live, not what is waiting for the GC.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var s = (clock.Elapsed.TotalSeconds, managed / 1048576.0, process.WorkingSet64 / 1048576.0, Interlocked.Read(ref roundsDone));
        lock (samples) samples.Add(s);
        Console.WriteLine(string.Create(inv, $"  t={s.Item1,5:F1} s  managed={s.Item2,7:F2} MB  rss={s.Item3,7:F1} MB  rounds={s.Item4}"));
    }
}) { IsBackground = true, Name = "sampler" };
sampler.Start();
var run = ConcurrencyWorkload.RunThreads(workload, threads, _ => clock.Elapsed.TotalSeconds < seconds, (w, r) =>
{
    long bad = (r % 3) switch
    {
        0 => w.ClassifyAll(r),
        1 => w.ScoreAll(r),
        _ => w.EmbedAll(),
    };
    Interlocked.Increment(ref roundsDone);
    return bad;
});
stop.Cancel();
sampler.Join();

Console.WriteLine(string.Create(inv, $"load: {run.Rounds} rounds in {run.Elapsed.TotalSeconds:F1} s ({run.Rounds / 3} each of classify-all, score-all, embed-all), mismatches {run.Mismatches}, exceptions {run.Errors.Count}"));
foreach (var e in run.Errors.Take(3)) Console.WriteLine($"  {e.GetType().Name}: {e.Message}");

bool flat = true;
if (samples.Count >= 2)
{
    var first = samples[0];
    var last = samples[^1];
    double managedSlope = Slope(samples.Select(s => (s.Seconds, s.ManagedMb))) * 60, rssSlope = Slope(samples.Select(s => (s.Seconds, s.RssMb))) * 60;
    double managedRange = samples.Max(s => s.ManagedMb) - samples.Min(s => s.ManagedMb);
    // Flat: the managed heap after a full collection ends within 2 MB (or 5 %) of where it started after warm-up, and RSS within 32 MB (or 10 %).
    bool managedFlat = last.ManagedMb - first.ManagedMb <= Math.Max(2, 0.05 * first.ManagedMb);
    bool rssFlat = last.RssMb - first.RssMb <= Math.Max(32, 0.10 * first.RssMb);
    flat = managedFlat && rssFlat;
    Console.WriteLine(string.Create(inv,
        $"memory after warm-up ({samples.Count} samples): managed {first.ManagedMb:F2} -> {last.ManagedMb:F2} MB (range {managedRange:F2} MB, slope {managedSlope:+0.00;-0.00} MB/min) {(managedFlat ? "flat" : "GROWING")}; " +
        $"rss {first.RssMb:F1} -> {last.RssMb:F1} MB (slope {rssSlope:+0.0;-0.0} MB/min) {(rssFlat ? "flat" : "GROWING")}"));
}
else
{
    Console.WriteLine("memory: too few samples after warm-up (run longer)");
}
bool ok = run.Mismatches == 0 && run.Errors.Count == 0 && flat;
Console.WriteLine(ok ? "result: identical to single-threaded, no exception, memory flat" : "result: FAILED");
return ok ? 0 : 1;

static double Throughput(ConcurrencyWorkload workload, int threads, Func<ConcurrencyWorkload.Worker, int, long> call, int perRound)
{
    // 2 s not counted first: the JIT's tiers settle and every thread's engines exist.
    var warm = Stopwatch.StartNew();
    ConcurrencyWorkload.RunThreads(workload, threads, _ => warm.Elapsed.TotalSeconds < 2, call);
    var clock = Stopwatch.StartNew();
    var run = ConcurrencyWorkload.RunThreads(workload, threads, _ => clock.Elapsed.TotalSeconds < 5, call);
    if (run.Mismatches != 0 || run.Errors.Count != 0) Console.WriteLine($"  throughput run: {run.Mismatches} mismatches, {run.Errors.Count} exceptions");
    return run.Rounds * (double)perRound / run.Elapsed.TotalSeconds;
}

// Least-squares slope of y over x.
static double Slope(IEnumerable<(double X, double Y)> points)
{
    var p = points.ToList();
    double mx = p.Average(q => q.X), my = p.Average(q => q.Y);
    double sxx = p.Sum(q => (q.X - mx) * (q.X - mx));
    return sxx == 0 ? 0 : p.Sum(q => (q.X - mx) * (q.Y - my)) / sxx;
}

static (int Seconds, int Threads, int Warmup, int Sample)? ParseOptions(string[] args)
{
    int seconds = 60, threads = 8, warmup = 10, sample = 5;
    for (int i = 0; i < args.Length; i++)
    {
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v <= 0) return null;
        switch (args[i])
        {
            case "--seconds": seconds = v; break;
            case "--threads": threads = v; break;
            case "--warmup": warmup = v; break;
            case "--sample": sample = v; break;
            default: return null;
        }
        i++;
    }
    return warmup >= seconds ? null : (seconds, threads, warmup, sample);
}
