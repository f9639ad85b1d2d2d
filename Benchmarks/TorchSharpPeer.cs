using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace MLComponents.Benchmarks;

/// <summary>
/// The TorchSharp backend as a peer column: a child process of this benchmark (libtorch's thread count is
/// process-wide and its memory would sit in ours) that runs <see cref="TorchSharpWorkload"/> through the same
/// <see cref="ModelBenchmark.Measure"/> protocol as our engine and prints torch_ref.py's keys, plus the p99 and
/// the process's peak resident memory, so <see cref="PeerRun"/> handles it like the PyTorch peer.
/// </summary>
internal static class TorchSharpPeer
{
    /// <summary>The child's mode name.</summary>
    public const string Mode = "torchsharp-peer";

    /// <summary>Lines starting with this name the peer's version.</summary>
    public const string HeaderPrefix = "torchsharp ";

    /// <summary>Child side: measures with <paramref name="threads"/> libtorch threads and prints key=value figures.</summary>
    public static int RunChild(int threads)
    {
        var config = new ModelConfig();
        ModelBenchmark.Figures figures;
        using (var workload = new TorchSharpWorkload(config, threads))
        {
            figures = ModelBenchmark.Measure(workload, config);
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine($"{HeaderPrefix}{torch.__version__} (TorchSequenceClassifier) threads={threads}");
        Console.WriteLine(FormattableString.Invariant($"train_tokens_per_s={figures.TrainTokensPerSecond:F1}"));
        Console.WriteLine(FormattableString.Invariant($"infer_tokens_per_s={figures.InferTokensPerSecond:F1}"));
        Console.WriteLine(FormattableString.Invariant($"single32_p50_ms={figures.Single32P50Ms:F4}"));
        Console.WriteLine(FormattableString.Invariant($"single32_p99_ms={figures.Single32P99Ms:F4}"));
        Console.WriteLine(FormattableString.Invariant($"peak_rss_mb={self.PeakWorkingSet64 / 1048576.0:F1}"));
        return 0;
    }

    /// <summary>Parent side: runs the child with 1 and 2 threads; null (reason logged) when TorchSharp cannot run here.</summary>
    public static PeerRun? Run(TextWriter log)
    {
        string program = Environment.ProcessPath ?? "dotnet";
        var before = new List<string>();
        if (Path.GetFileNameWithoutExtension(program) == "dotnet")
        {
            before.Add(typeof(TorchSharpPeer).Assembly.Location);
        }

        before.Add(Mode);
        return PeerRun.Run("TorchSharp", program, before, [], Directory.GetCurrentDirectory(), HeaderPrefix, log);
    }

    /// <summary>Parses the child's thread argument.</summary>
    public static int Threads(string argument) => int.Parse(argument, CultureInfo.InvariantCulture);
}
