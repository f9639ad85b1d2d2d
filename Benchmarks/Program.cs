using System.Runtime.Intrinsics.X86;
using MLComponents.Benchmarks;

// dotnet run -c Release --project Benchmarks -- [gemm|model|all] [--no-torch]
string mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
bool runPeers = !args.Contains("--no-torch");
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
