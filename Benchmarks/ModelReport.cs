namespace MLComponents.Benchmarks;

/// <summary>
/// The model mode: train / inference throughput and single-sentence latency against every peer in one table,
/// then the per-layer breakdown of a training step and the peak memory of a training run.
/// </summary>
internal static class ModelReport
{
    /// <summary>
    /// Measures every engine in <paramref name="rounds"/> interleaved rounds (each round: the peers with 1 and 2
    /// threads, then ours with 1 and 2), prints each round's figures and then the table of each engine's best over
    /// the rounds; returns the peers merged over the rounds. The machines here are shared: a busy spell during one
    /// engine's turn moved single runs by up to 30 %, so every engine gets the same number of turns, spread over the
    /// same stretch of time, and keeps its best, as a minimum-time benchmark does.
    /// </summary>
    public static IReadOnlyList<PeerRun> Run(Func<List<PeerRun>> peersOfOneRound, int rounds, bool breakdown = true, bool memory = true)
    {
        var config = new ModelConfig();
        Console.WriteLine();
        Console.WriteLine($"Model: V {config.Vocabulary}, D {config.ModelDimension}, H {config.Heads}, L {config.Layers}, F {config.FeedForward}, " +
            $"T {config.Tokens}, B {config.Batch}, C {config.Classes}, RoPE, AdamW lr {config.LearningRate}; {rounds} interleaved round(s)");
        var models = new IModelWorkload?[2];
        for (int t = 0; t < 2; t++)
        {
            models[t] = ModelWorkloads.Create(config, t + 1, out string reason);
            if (models[t] is null)
            {
                Console.WriteLine($"  ours: NOT MEASURED - {reason}.");
                break;
            }

            Console.WriteLine($"  ours t{t + 1}: {models[t]!.Description}");
        }

        var peerRounds = new List<List<PeerRun>>();
        var ourRounds = new List<ModelBenchmark.Figures?[]>();
        for (int round = 0; round < rounds; round++)
        {
            Console.WriteLine($"  round {round + 1} of {rounds}: peers, then ours");
            peerRounds.Add(peersOfOneRound());
            var figures = new ModelBenchmark.Figures?[2];
            for (int t = 0; t < 2; t++)
            {
                figures[t] = models[t] is { } model ? ModelBenchmark.Measure(model, config) : null;
            }

            ourRounds.Add(figures);
            PrintRound(round, peerRounds[^1], figures);
        }

        var peers = peerRounds.SelectMany(r => r).GroupBy(p => p.Name).Select(g => PeerRun.Merge([.. g])).ToList();
        ModelBenchmark.Figures? BestOf(int t) => ourRounds.Select(r => r[t]).OfType<ModelBenchmark.Figures>()
            .Aggregate((ModelBenchmark.Figures?)null, (acc, f) => acc is null ? f : ModelBenchmark.Figures.Better(acc, f));
        ModelBenchmark.Figures?[] ours = [BestOf(0), BestOf(1)];
        foreach (var peer in peers)
        {
            Console.WriteLine("  " + peer.Description);
        }

        var profiles = new List<(int, StepBreakdown.Result)>();
        if (breakdown)
        {
            for (int t = 0; t < 2; t++)
            {
                if (models[t] is { } model)
                {
                    profiles.Add((t + 1, StepBreakdown.Measure(model)));
                }
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
        if (rounds > 1)
        {
            table.Note($"  Each figure is that engine's best over {rounds} rounds and 1 / 2 threads; the rounds' own figures are above.");
        }

        if (profiles.Count > 0)
        {
            StepBreakdown.Print(Console.Out, profiles);
        }

        return peers;
    }

    /// <summary>One round's headline figures: each engine's better thread count, and ours against the best peer.</summary>
    private static void PrintRound(int round, IReadOnlyList<PeerRun> peers, ModelBenchmark.Figures?[] ours)
    {
        string Line(string label, string key, Func<ModelBenchmark.Figures, double> pick, bool lowerIsBetter)
        {
            var mine = ours.OfType<ModelBenchmark.Figures>().Select(pick).ToList();
            double? best = mine.Count == 0 ? null : lowerIsBetter ? mine.Min() : mine.Max();
            var peerValues = peers.Select(p => (p.Name, Value: p[key])).ToList();
            var known = peerValues.Where(p => p.Value is not null).Select(p => p.Value!.Value).ToList();
            double? peer = known.Count == 0 ? null : lowerIsBetter ? known.Min() : known.Max();
            string ratio = best is double o && peer is double q && o > 0 && q > 0 ? $" = {(lowerIsBetter ? q / o : o / q):F2}x" : "";
            return $"{label} ours {Show(best)}" + string.Concat(peerValues.Select(p => $", {p.Name} {Show(p.Value)}")) + ratio;
        }

        Console.WriteLine($"    round {round + 1}: " + string.Join("; ",
            Line("train tokens/s", "train_tokens_per_s", f => f.TrainTokensPerSecond, false),
            Line("inference tokens/s", "infer_tokens_per_s", f => f.InferTokensPerSecond, false),
            Line("p50 ms", "single32_p50_ms", f => f.Single32P50Ms, true)));
    }

    private static string Show(double? x) => x is double v
        ? v.ToString(v >= 1000 ? "F0" : "F3", System.Globalization.CultureInfo.InvariantCulture)
        : "-";
}
