using System.Runtime.Intrinsics.X86;
using MLComponents.Benchmarks;

// dotnet run -c Release --project Benchmarks -- [gemm|model|all] [--no-torch]
string mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
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

if (mode == "pack")
{
    PackProbe.Run();
    return 0;
}

if (mode == "kernel")
{
    Console.WriteLine($"bare 6x16 kernel on L1-resident panels: {KernelProbe.Measure():F1} GFLOPS");
    return 0;
}

if (mode is not ("gemm" or "model" or "all"))
{
    Console.Error.WriteLine($"Unknown mode '{mode}'. Usage: dotnet run -c Release --project Benchmarks -- [gemm|model|all] [--no-torch]");
    return 2;
}

string? root = RepoPaths.Root();
Console.WriteLine($"MLComponents benchmarks ({mode}) on {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, " +
    $"AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, AVX-512F {Avx512F.IsSupported}");

TorchPeer? torchRef = null;
if (runPeers)
{
    string script = RepoPaths.TorchScript(root);
    Console.WriteLine($"PyTorch peer {script} (best of its 1- and 2-thread runs per metric):");
    torchRef = TorchPeer.Run(script, [], Console.Out);
    if (torchRef is not null)
    {
        Console.WriteLine("  " + torchRef.Description);
    }
}

if (mode is "gemm" or "all")
{
    GemmReport.Run(root, torchRef, runPeers && torchRef is not null);
}

if (mode is "model" or "all")
{
    ModelReport.Run(torchRef);
}

return 0;
