using System.Runtime.Intrinsics.X86;
using MLComponents.Benchmarks;

// dotnet run -c Release --project Benchmarks -- [gemm|model|all|breakdown|latency] [--no-torch] [--rounds N]
string mode = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--rounds")).FirstOrDefault() ?? "all";
if (mode == "suite")
{
    return MLComponents.Benchmarks.Suite.SuiteCommand.Run(args, Console.Out); // accuracy suite: Benchmarks/Suite/README.md
}

bool runPeers = !args.Contains("--no-torch");
if (mode == "tune")
{
    // Tuning aid: GFLOPS per CPU-second for the shapes whose names contain the filter.
    GemmBenchmark.UseCpuTime = true;
    MLComponents.Engine.GemmDriver.PackAMinCols = int.Parse(Environment.GetEnvironmentVariable("GEMM_PACKA") ?? "1073741824");
    MLComponents.Engine.GemmDriver.PackATransMinCols = int.Parse(Environment.GetEnvironmentVariable("GEMM_PACKAT") ?? "32");
    MLComponents.Engine.GemmDriver.PackBMinRows = int.Parse(Environment.GetEnvironmentVariable("GEMM_PACKB") ?? "48");
    int tuneThreads = int.Parse(Environment.GetEnvironmentVariable("GEMM_T") ?? "1");
    string filter = args.Length > 1 ? args[1] : "";
    foreach (var s in new[] { GemmBenchmark.Square }.Concat(GemmBenchmark.ModelShapes).Where(s => s.Name.Contains(filter, StringComparison.Ordinal)))
    {
        Console.WriteLine($"{s.Name,-44} {GemmBenchmark.Measure(s, tuneThreads),8:F1}");
    }

    return 0;
}

if (mode == "tuneab")
{
    // Tuning aid: A/B of a GEMM setting, interleaved rounds in one process, best GFLOPS per CPU-second of each.
    // GEMM_A / GEMM_B: "packa=N,packb=N,packat=N" settings; the filter picks shapes.
    GemmBenchmark.UseCpuTime = true;
    string filterAb = args.Length > 1 ? args[1] : "";
    void Apply(string spec)
    {
        foreach (string kv in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] p = kv.Split('=');
            int v = int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture);
            switch (p[0])
            {
                case "packa": MLComponents.Engine.GemmDriver.PackAMinCols = v; break;
                case "packat": MLComponents.Engine.GemmDriver.PackATransMinCols = v; break;
                case "packb": MLComponents.Engine.GemmDriver.PackBMinRows = v; break;
            }
        }
    }

    string specA = Environment.GetEnvironmentVariable("GEMM_A") ?? "", specB = Environment.GetEnvironmentVariable("GEMM_B") ?? "";
    var shapesAb = new[] { GemmBenchmark.Square }.Concat(GemmBenchmark.ModelShapes).Where(s => s.Name.Contains(filterAb, StringComparison.Ordinal)).ToList();
    var bestA = new double[shapesAb.Count];
    var bestB = new double[shapesAb.Count];
    for (int round = 0; round < 6; round++)
    {
        for (int i = 0; i < shapesAb.Count; i++)
        {
            Apply("packa=1073741824,packat=32,packb=48," + specA);
            bestA[i] = Math.Max(bestA[i], GemmBenchmark.Measure(shapesAb[i], 1, 0.2));
            Apply("packa=1073741824,packat=32,packb=48," + specB);
            bestB[i] = Math.Max(bestB[i], GemmBenchmark.Measure(shapesAb[i], 1, 0.2));
        }
    }

    Console.WriteLine($"{"shape",-44} {"A: " + specA,14} {"B: " + specB,14}");
    for (int i = 0; i < shapesAb.Count; i++)
    {
        Console.WriteLine($"{shapesAb[i].Name,-44} {bestA[i],14:F1} {bestB[i],14:F1}");
    }

    return 0;
}

if (mode == "small")
{
    GemmBenchmark.UseCpuTime = true;
    foreach (var s in new GemmBenchmark.Shape[]
    {
        new("64x64x32 nt hot", false, true, 64, 64, 32), new("64x64x32 nt b128", false, true, 64, 64, 32, 128),
        new("64x64x32 nn hot", false, false, 64, 64, 32), new("66x64x32 nn hot", false, false, 66, 64, 32),
        new("60x64x32 nn hot", false, false, 60, 64, 32),
        new("64x32x64 nn hot", false, false, 64, 32, 64), new("64x32x64 tn hot", true, false, 64, 32, 64),
        new("64x32x64 nn b128", false, false, 64, 32, 64, 128),
        new("66x32x64 nn hot", false, false, 66, 32, 64), new("66x32x64 tn hot", true, false, 66, 32, 64),
    })
    {
        Console.WriteLine($"{s.Name,-44} {GemmBenchmark.Measure(s, 1),8:F1}");
    }

    return 0;
}

if (mode == "ops")
{
    // Tuning aid: single engine operations at the model's shapes; one thread is timed by its CPU time.
    int opThreads = int.Parse(Environment.GetEnvironmentVariable("OPS_T") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
    if (opThreads == 1)
    {
        StepBreakdown.UseThreadCpuClock();
    }

    OpProbe.Run(args.Length > 1 ? args[1] : "", opThreads);
    return 0;
}

if (mode == "pack")
{
    PackProbe.Run();
    return 0;
}

if (mode == "kernel")
{
    Console.WriteLine($"FMA peak of one core (12 register chains, no memory): {FmaPeak.Measure():F1} GFLOPS");
    Console.WriteLine($"bare 6x16 kernel on L1-resident panels: {KernelProbe.Measure():F1} GFLOPS");
    return 0;
}

if (mode == PeakMemory.Mode)
{
    // Child process of the model report: one run of the reference workload, then its peak resident memory.
    return PeakMemory.RunChild(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
}

if (mode == TorchSharpPeer.Mode)
{
    // Child process of the peers: the TorchSharp backend on the reference workload, torch_ref.py's keys.
    return TorchSharpPeer.RunChild(TorchSharpPeer.Threads(args[1]));
}

if (mode == "breakdown")
{
    // Per-layer breakdown of a training step only (no peers, no figures): quick feedback while tuning.
    // --cpu: one thread, timed by its CPU time, least per part over the steps: what a busy machine disturbs least.
    bool cpu = args.Contains("--cpu");
    if (cpu)
    {
        StepBreakdown.UseThreadCpuClock();
    }

    var config = new ModelConfig();
    var runs = new List<(int, StepBreakdown.Result)>();
    foreach (int threads in cpu ? new[] { 1 } : new[] { 1, 2 })
    {
        runs.Add((threads, StepBreakdown.Measure(ModelWorkloads.Create(config, threads, out _)!, steps: 20, minimum: cpu)));
    }

    StepBreakdown.Print(Console.Out, runs);
    return 0;
}

if (mode == "latency")
{
    // Per-layer breakdown of one single-sentence forward (ModelConfig.SingleTokens tokens), or with --batch of one
    // batch inference forward, 1 and 2 threads; --min keeps each part's least time over the calls.
    var config = new ModelConfig();
    var runs = new List<(int, StepBreakdown.Result)>();
    foreach (int threads in new[] { 1, 2 })
    {
        var model = ModelWorkloads.Create(config, threads, out _)!;
        bool batch = args.Contains("--batch");
        runs.Add((threads, StepBreakdown.Measure(batch ? model.InferBatch : model.InferSingle, steps: batch ? 30 : 2000, minimum: args.Contains("--min"))));
    }

    StepBreakdown.Print(Console.Out, runs, args.Contains("--batch")
        ? "Batch inference forward breakdown, ms per batch (wall time per layer kind; share of the call)"
        : "Single-sentence forward breakdown, ms per sentence (wall time per layer kind; share of the call)");
    return 0;
}

if (mode is not ("gemm" or "model" or "all"))
{
    Console.Error.WriteLine($"Unknown mode '{mode}'. Usage: dotnet run -c Release --project Benchmarks -- [gemm|model|all|breakdown|latency] [--no-torch] [--rounds N]");
    return 2;
}

string? root = RepoPaths.Root();
Console.WriteLine($"MLComponents benchmarks ({mode}) on {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, " +
    $"AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, AVX-512F {Avx512F.IsSupported}");

// Interleaved rounds of every engine (model and all modes): --rounds N, default 3.
int rounds = 3;
int roundsAt = Array.IndexOf(args, "--rounds");
if (roundsAt >= 0 && (roundsAt + 1 >= args.Length || !int.TryParse(args[roundsAt + 1], out rounds) || rounds < 1))
{
    Console.Error.WriteLine("--rounds needs a whole number of at least 1.");
    return 2;
}

List<PeerRun> PeersOfOneRound()
{
    if (!runPeers)
    {
        return [];
    }

    Console.WriteLine("Peers (best of each peer's 1- and 2-thread runs per metric):");
    return ModelPeers.Run(root, Console.Out);
}

IReadOnlyList<PeerRun> peers = [];
if (mode is "model" or "all")
{
    peers = ModelReport.Run(PeersOfOneRound, rounds);
}
else
{
    peers = PeersOfOneRound();
    foreach (var peer in peers)
    {
        Console.WriteLine("  " + peer.Description);
    }
}

PeerRun? torchRef = peers.FirstOrDefault(p => p.Name == "PyTorch");
if (mode is "gemm" or "all")
{
    GemmReport.Run(root, torchRef, runPeers && torchRef is not null);
}

return 0;
