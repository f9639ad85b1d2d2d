namespace MLComponents.Benchmarks;

/// <summary>
/// The model mode: train / inference throughput and single-sentence latency against every peer in one table,
/// then the per-layer breakdown of a training step and the peak memory of a training run.
/// </summary>
internal static class ModelReport
{
    /// <summary>Measures (when a model is wired) and prints.</summary>
    public static void Run(IReadOnlyList<PeerRun> peers, bool breakdown = true, bool memory = true)
    {
        var config = new ModelConfig();
        Console.WriteLine();
        Console.WriteLine($"Model: V {config.Vocabulary}, D {config.ModelDimension}, H {config.Heads}, L {config.Layers}, F {config.FeedForward}, " +
            $"T {config.Tokens}, B {config.Batch}, C {config.Classes}, RoPE, AdamW lr {config.LearningRate}");
        var ours = new ModelBenchmark.Figures?[2];
        var profiles = new List<(int, StepBreakdown.Result)>();
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
            if (breakdown)
            {
                profiles.Add((threads, StepBreakdown.Measure(model)));
            }
        }

        // The opt-in sparse embedding update changes the optimiser's arithmetic (see AdamW.UpdateRowsOnly), so it is
        // shown on its own row and never counted in the ratio against torch's dense AdamW.
        double?[] sparseTrain = [null, null];
        foreach (int threads in new[] { 1, 2 })
        {
            if (ModelWorkloads.Create(config, threads, sparseEmbedding: true, out _) is { } sparseModel)
            {
                sparseTrain[threads - 1] = ModelBenchmark.MeasureTrain(sparseModel, config);
            }
        }

        double?[] memoryMb = [null, null];
        if (memory)
        {
            memoryMb = [PeakMemory.Measure(1), PeakMemory.Measure(2)];
        }

        var table = new SideBySide(Console.Out, [.. peers.Select(p => p.Name)]);
        IReadOnlyList<double?> Peer(string key) => [.. peers.Select(p => p[key])];
        table.Row("train tokens/s", ours[0]?.TrainTokensPerSecond, ours[1]?.TrainTokensPerSecond, Peer("train_tokens_per_s"), "tokens/s");
        table.Row("train tokens/s, opt-in sparse embedding update*", sparseTrain[0], sparseTrain[1], [.. peers.Select(_ => (double?)null)], "tokens/s");
        table.Row("inference tokens/s", ours[0]?.InferTokensPerSecond, ours[1]?.InferTokensPerSecond, Peer("infer_tokens_per_s"), "tokens/s");
        table.Row("single sentence (32 tokens) p50 latency", ours[0]?.Single32P50Ms, ours[1]?.Single32P50Ms, Peer("single32_p50_ms"), "ms", lowerIsBetter: true);
        table.Row("single sentence (32 tokens) p99 latency", ours[0]?.Single32P99Ms, ours[1]?.Single32P99Ms, Peer("single32_p99_ms"), "ms", lowerIsBetter: true);
        if (memory)
        {
            table.Row("peak resident memory of the run", memoryMb[0], memoryMb[1], Peer("peak_rss_mb"), "MiB", lowerIsBetter: true);
        }

        table.Note("  * not the peers' work (rows a batch does not use skip AdamW's decay and momentum step); no ratio.");
        if (profiles.Count > 0)
        {
            StepBreakdown.Print(Console.Out, profiles);
        }
    }
}
