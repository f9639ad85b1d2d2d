using System.Diagnostics;

namespace MLComponents.Benchmarks;

/// <summary>Train / inference throughput and single-sentence latency, timed exactly as torch_ref.py times them.</summary>
internal static class ModelBenchmark
{
    /// <summary>The figures torch_ref.py prints, plus the p99 of the same latency samples.</summary>
    internal sealed record Figures(double TrainTokensPerSecond, double InferTokensPerSecond, double Single32P50Ms, double Single32P99Ms)
    {
        /// <summary>Per figure the better of two runs (higher throughput, lower latency).</summary>
        public static Figures Better(Figures a, Figures b) => new(
            Math.Max(a.TrainTokensPerSecond, b.TrainTokensPerSecond), Math.Max(a.InferTokensPerSecond, b.InferTokensPerSecond),
            Math.Min(a.Single32P50Ms, b.Single32P50Ms), Math.Min(a.Single32P99Ms, b.Single32P99Ms));
    }

    /// <summary>Train tokens/s only: 5 warm-up + 30 timed steps.</summary>
    public static double MeasureTrain(IModelWorkload model, ModelConfig config)
    {
        for (int i = 0; i < 5; i++)
        {
            model.TrainStep();
        }

        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 30; i++)
        {
            model.TrainStep();
        }

        return 30.0 * config.Batch * config.Tokens / sw.Elapsed.TotalSeconds;
    }

    /// <summary>5 warm-up + 30 timed train steps, 5 + 30 batch forwards, 20 + 200 single-sentence forwards (median, p99).</summary>
    public static Figures Measure(IModelWorkload model, ModelConfig config)
    {
        const int Warm = 5, Timed = 30;
        double tokens = (double)Timed * config.Batch * config.Tokens;
        for (int i = 0; i < Warm; i++)
        {
            model.TrainStep();
        }

        var sw = Stopwatch.StartNew();
        for (int i = 0; i < Timed; i++)
        {
            model.TrainStep();
        }

        double train = tokens / sw.Elapsed.TotalSeconds;

        for (int i = 0; i < Warm; i++)
        {
            model.InferBatch();
        }

        sw.Restart();
        for (int i = 0; i < Timed; i++)
        {
            model.InferBatch();
        }

        double infer = tokens / sw.Elapsed.TotalSeconds;

        for (int i = 0; i < 20; i++)
        {
            model.InferSingle();
        }

        var latencies = new double[200];
        for (int i = 0; i < latencies.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.InferSingle();
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        Array.Sort(latencies);
        // The same order statistics as torch_ref.py (lat[len // 2]) and torch_ref_stats.py (lat[int(len * 0.99)]).
        return new Figures(train, infer, latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)]);
    }
}
