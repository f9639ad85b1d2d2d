namespace MLComponents.Benchmarks;

/// <summary>The model mode: train / inference throughput and single-sentence latency against torch_ref.py.</summary>
internal static class ModelReport
{
    /// <summary>Measures (when a model is wired) and prints.</summary>
    public static void Run(TorchPeer? torchRef)
    {
        var config = new ModelConfig();
        Console.WriteLine();
        Console.WriteLine($"Model: V {config.Vocabulary}, D {config.ModelDimension}, H {config.Heads}, L {config.Layers}, F {config.FeedForward}, " +
            $"T {config.Tokens}, B {config.Batch}, C {config.Classes}, RoPE, AdamW lr {config.LearningRate}");
        var ours = new ModelBenchmark.Figures?[2];
        foreach (int threads in new[] { 1, 2 })
        {
            IModelWorkload? model = ModelWorkloads.Create(config, threads, out string reason);
            if (model is null)
            {
                Console.WriteLine($"  ours: NOT MEASURED - {reason}.");
                break;
            }

            Console.WriteLine($"  ours t{threads}: {model.Description}");
            ours[threads - 1] = ModelBenchmark.Measure(model, config);
        }

        var table = new SideBySide(Console.Out);
        table.Row("train tokens/s", ours[0]?.TrainTokensPerSecond, ours[1]?.TrainTokensPerSecond, torchRef?["train_tokens_per_s"], "tokens/s");
        table.Row("inference tokens/s", ours[0]?.InferTokensPerSecond, ours[1]?.InferTokensPerSecond, torchRef?["infer_tokens_per_s"], "tokens/s");
        table.Row("single sentence (32 tokens) p50 latency", ours[0]?.Single32P50Ms, ours[1]?.Single32P50Ms, torchRef?["single32_p50_ms"], "ms", lowerIsBetter: true);
        BackendReport.Run(config, ours, torchRef);
    }
}
