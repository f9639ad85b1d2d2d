using MLComponents.Engine;

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
        var ops = new (string Name, Action Op)[]
        {
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
        var chosen = ops.Where(o => o.Name.Contains(filter, StringComparison.Ordinal)).ToList();
        var best = new double[chosen.Count];
        Array.Fill(best, double.MaxValue);
        foreach (var (_, op) in chosen)
        {
            for (int i = 0; i < 5; i++)
            {
                op();
            }
        }

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
