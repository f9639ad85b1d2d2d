using System.Globalization;

namespace MLComponents.Benchmarks;

/// <summary>
/// The model benchmark's second table: the managed engine, the TorchSharp backend and the PyTorch peer on the same
/// configuration in the same run. Per backend the better of its 1- and 2-thread figures is shown (as for the peer), with
/// both thread counts in brackets.
/// </summary>
internal static class BackendReport
{
    /// <summary>Measures the TorchSharp backend with 1 and 2 threads and prints the three-way table.</summary>
    public static void Run(ModelConfig config, IReadOnlyList<ModelBenchmark.Figures?> managed, TorchPeer? torchRef)
    {
        var torchSharp = new ModelBenchmark.Figures?[2];
        foreach (int threads in new[] { 1, 2 })
        {
            try
            {
                using var workload = new TorchSharpWorkload(config, threads);
                Console.WriteLine($"  TorchSharp t{threads}: {workload.Description}");
                torchSharp[threads - 1] = ModelBenchmark.Measure(workload, config);
            }
            catch (Exception e) when (e is InvalidOperationException or TypeInitializationException or DllNotFoundException)
            {
                Console.WriteLine($"  TorchSharp: NOT MEASURED - {e.Message}");
                break;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"  {"backends (best of t1/t2)",-44} {"managed",22} {"TorchSharp",22} {"PyTorch",10}  unit");
        Row("train tokens/s", managed, torchSharp, torchRef?["train_tokens_per_s"], f => f.TrainTokensPerSecond, lowerIsBetter: false, "tokens/s");
        Row("inference tokens/s", managed, torchSharp, torchRef?["infer_tokens_per_s"], f => f.InferTokensPerSecond, lowerIsBetter: false, "tokens/s");
        Row("single sentence (32 tokens) p50 latency", managed, torchSharp, torchRef?["single32_p50_ms"], f => f.Single32P50Ms, lowerIsBetter: true, "ms");
    }

    private static void Row(string metric, IReadOnlyList<ModelBenchmark.Figures?> managed, IReadOnlyList<ModelBenchmark.Figures?> torchSharp,
        double? peer, Func<ModelBenchmark.Figures, double> pick, bool lowerIsBetter, string unit) =>
        Console.WriteLine($"  {metric,-44} {Cell(managed, pick, lowerIsBetter),22} {Cell(torchSharp, pick, lowerIsBetter),22} {Format(peer),10}  {unit}");

    // "best (t1/t2)".
    private static string Cell(IReadOnlyList<ModelBenchmark.Figures?> runs, Func<ModelBenchmark.Figures, double> pick, bool lowerIsBetter)
    {
        var values = runs.Select(r => r is null ? (double?)null : pick(r)).ToArray();
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        if (present.Length == 0)
        {
            return "-";
        }
        double best = lowerIsBetter ? present.Min() : present.Max();
        return $"{Format(best)} ({string.Join("/", values.Select(Format))})";
    }

    private static string Format(double? x) => x is double v
        ? v.ToString(v >= 1000 ? "F0" : v >= 10 ? "F1" : "F3", CultureInfo.InvariantCulture)
        : "-";
}
