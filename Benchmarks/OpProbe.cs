using MLComponents.Engine;
using MLComponents.Numerics;

namespace MLComponents.Benchmarks;

/// <summary>
/// Tuning aid: microseconds of single engine operations at the reference model's shapes (B 32 x T 64 rows), least
/// thread CPU time over many repeats, which a busy machine disturbs far less than one step's wall time.
/// </summary>
internal static class OpProbe
{
    public static void Run(string filter, int threads)
    {
        int rows = 2048, d = 128, f = 512;
        var rng = new Random(1);
        float[] R(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        float[] x = R(rows * f), w = R(f * f), bias = R(3 * d > f ? 3 * d : f), y = new float[rows * f], g = new float[rows * f];
        float[] dy = R(rows * f), dx = new float[rows * f], dw = new float[f * f], db = new float[f];
        var model = ModelWorkloads.Create(new ModelConfig(), threads, out _)!;
        var rope = PositionEncoding.Rotary().CreateModule(new MLComponents.Numerics.PositionModuleShape(d, 4, 2, 64), 0);
        rope.Threads = threads;
        var act = new AttentionActivations(32, 64, d, 4, false);
        var attGrads = new AttentionGradients(32, 64, d, 4);
        var pb = new MLComponents.Numerics.PositionBatch(32, 64, [.. Enumerable.Repeat(64, 32)]);
        float[] qkv = R(rows * 3 * d), att = new float[rows * d], dqkv = new float[rows * 3 * d];
        var ops = new (string Name, Action Op)[]
        {
            ("model predict 32 tokens", model.InferSingle),
            ("model infer batch", model.InferBatch),
            ("model eval batch, activations kept", ((ModelWorkloads.ClassifierWorkload)model).EvaluateBatchKept),
            ("model train step", model.TrainStep),
            ("softmax 8192 rows of 64", () => { for (int r = 0; r < 8192; r++) FusedAttention.SoftmaxRow(y.AsSpan((r % 4096) * 64, 64), 64, 0.17f); }),
            ("rope whole q,k 32x4x64x32", () => rope.ForwardQueryKey(0, act.Q, act.K, pb, 4, 32)),
            ("attention fwd (RoPE)", () => AttentionLayer.Forward(0, qkv, att, act, rope, pb, d, 4, 0, 0, true, threads)),
            ("attention infer (RoPE)", () => AttentionLayer.Forward(0, qkv, att, act, rope, pb, d, 4, 0, 0, false, threads, keep: false)),
            ("attention bwd (RoPE)", () => AttentionLayer.Backward(0, dy, dqkv, act, attGrads, rope, pb, d, 4, 0, 0, true, threads)),
            ("gemm 128 x QK^T 64x64x32", () => { for (int u = 0; u < 128; u++) Gemm.Multiply(false, true, 64, 64, 32, x.AsSpan(u * 2048, 2048), 32, w.AsSpan(u * 2048 % 200000, 2048), 32, y.AsSpan(u * 4096, 4096), 64); }),
            ("gemm 128 x PV 64x32x64", () => { for (int u = 0; u < 128; u++) Gemm.Multiply(false, false, 64, 32, 64, x.AsSpan(u * 4096, 4096), 64, w.AsSpan(u * 2048 % 200000), 384, y.AsSpan(u * 2048), 128); }),
            ("linear up fwd (no gelu)", () => LinearLayer.Forward(x, w, bias, y, rows, d, f, threads)),
            ("gelu fwd 2048x512", () => GeluLayer.Forward(y, g, rows * f, threads)),
            ("linear up fwd + gelu epilogue", () => LinearLayer.Forward(x, w, bias, y, g, rows, d, f, threads)),
            ("linear qkv fwd", () => LinearLayer.Forward(x, w, bias, y, rows, d, 3 * d, threads)),
            ("linear down fwd", () => LinearLayer.Forward(x, w, bias, y, rows, f, d, threads)),
            ("linear qkv bwd", () => LinearLayer.Backward(x, w, dy, dx, dw, db, rows, d, 3 * d, threads)),
            ("linear up bwd", () => LinearLayer.Backward(x, w, dy, dx, dw, db, rows, d, f, threads)),
            ("linear down bwd", () => LinearLayer.Backward(x, w, dy, dx, dw, db, rows, f, d, threads)),
            ("gelu bwd 2048x512", () => GeluLayer.Backward(y, dy, dx, rows * f, threads)),
            ("single qkv fwd 32 rows", () => LinearLayer.Forward(x, w, bias, y, 32, d, 3 * d, threads)),
            ("single up fwd+gelu 32 rows", () => LinearLayer.Forward(x, w, bias, y, g, 32, d, f, threads)),
            ("single down fwd 32 rows", () => LinearLayer.Forward(x, w, bias, y, 32, f, d, threads)),
            ("single up fwd 32 rows", () => LinearLayer.Forward(x, w, bias, y, 32, d, f, threads)),
            ("single ws gemm up 512x32x128", () => Gemm.Multiply(false, true, f, 32, d, w, d, x, d, y, 32, false, threads)),
            ("single gemm up 32x512x128", () => Gemm.Multiply(false, true, 32, f, d, x, d, w, d, y, f, false, threads)),
        };
        var chosen = ops.Where(o => filter.Split('|').Any(f => o.Name.Contains(f, StringComparison.Ordinal))).ToList();
        if (Environment.GetEnvironmentVariable("OPS_COUNT") is { } countText)
        {
            // For instruction counting (valgrind): run each chosen op a fixed number of times, no timing.
            int count = int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (_, op) in chosen)
            {
                for (int i = 0; i < count; i++)
                {
                    op();
                }
            }

            return;
        }

        var best = new double[chosen.Count];
        Array.Fill(best, double.MaxValue);
        // Warm-up long enough for tiered compilation to replace Tier-0 code (call counting starts after 100 ms).
        var warm = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            foreach (var (_, op) in chosen)
            {
                op();
            }
        }
        while (warm.ElapsedMilliseconds < 1500);

        // Rounds interleave the operations, so a busy spell on the machine does not land on one of them only.
        for (int round = 0; round < 8; round++)
        {
            for (int o = 0; o < chosen.Count; o++)
            {
                best[o] = Math.Min(best[o], Measure(chosen[o].Op, 6));
            }
        }

        for (int o = 0; o < chosen.Count; o++)
        {
            Console.WriteLine($"{chosen[o].Name,-40} {best[o],10:F1} us");
        }
    }

    /// <summary>Least thread CPU time (threads 1) or wall time of one call over <paramref name="repeats"/> calls.</summary>
    private static double Measure(Action op, int repeats)
    {
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            long t0 = StepProfiler.Clock.Now();
            op();
            best = Math.Min(best, (StepProfiler.Clock.Now() - t0) * 1e6 / StepProfiler.Clock.Frequency);
        }

        return best;
    }
}
