using System.Diagnostics;
using MLComponents.Engine;

namespace MLComponents.Benchmarks;

/// <summary>GFLOPS of <see cref="Gemm.Multiply"/> at 1024^3 and at the shapes the Transformer layers use.</summary>
internal static class GemmBenchmark
{
    /// <summary>One product shape: C[m,n] = op(A)[m,k] op(B)[k,n], repeated <c>Batch</c> times per call.</summary>
    internal sealed record Shape(string Name, bool TransA, bool TransB, int M, int N, int K, int Batch = 1);

    /// <summary>The square reference size compared with torch's gemm1024_gflops.</summary>
    internal static readonly Shape Square = new("1024^3 A*B", false, false, 1024, 1024, 1024);

    /// <summary>The products a training step of the reference model (B 32, T 64, D 128, H 4, F 512) runs.</summary>
    internal static readonly Shape[] ModelShapes =
    [
        new("fwd qkv   x W^T  2048x128 . (384x128)^T", false, true, 2048, 384, 128),
        new("fwd ffn1  x W^T  2048x128 . (512x128)^T", false, true, 2048, 512, 128),
        new("fwd ffn2  x W^T  2048x512 . (128x512)^T", false, true, 2048, 128, 512),
        new("bwd dx    dy W   2048x384 . 384x128", false, false, 2048, 128, 384),
        new("bwd dx    dy W   2048x128 . 128x512", false, false, 2048, 512, 128),
        new("bwd dx    dy W   2048x512 . 512x128", false, false, 2048, 128, 512),
        new("bwd dW    dy^T x (2048x384)^T . 2048x128", true, false, 384, 128, 2048),
        new("bwd dW    dy^T x (2048x512)^T . 2048x128", true, false, 512, 128, 2048),
        new("bwd dW    dy^T x (2048x128)^T . 2048x512", true, false, 128, 512, 2048),
        new("attn QK^T 128 x 64x32 . (64x32)^T", false, true, 64, 64, 32, 128),
        new("attn PV   128 x 64x64 . 64x32", false, false, 64, 32, 64, 128),
        new("attn dK   128 x (64x64)^T . 64x32", true, false, 64, 32, 64, 128),
        new("single    32x128 . (384x128)^T", false, true, 32, 384, 128),
        new("single    32x128 . (512x128)^T", false, true, 32, 512, 128),
        new("single    32x512 . (128x512)^T", false, true, 32, 128, 512),
    ];

    /// <summary>Best-of-5-runs GFLOPS (the same protocol as torch_gemm_shapes.py) for a shape at a thread count (small shapes batched, one call each).</summary>
    public static double Measure(Shape s, int threads, double seconds = 0.4)
    {
        int aRows = s.TransA ? s.K : s.M, aCols = s.TransA ? s.M : s.K;
        int bRows = s.TransB ? s.N : s.K, bCols = s.TransB ? s.K : s.N;
        var rng = new Random(1);
        float[][] a = new float[s.Batch][], b = new float[s.Batch][], c = new float[s.Batch][];
        for (int i = 0; i < s.Batch; i++)
        {
            a[i] = Fill(aRows * aCols, rng);
            b[i] = Fill(bRows * bCols, rng);
            c[i] = new float[s.M * s.N];
        }

        // Batched small products are threaded over the batch, as the attention layers do it.
        void Once()
        {
            if (s.Batch == 1)
            {
                Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a[0], aCols, b[0], bCols, c[0], s.N, false, threads);
            }
            else if (threads <= 1)
            {
                for (int i = 0; i < s.Batch; i++)
                {
                    Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a[i], aCols, b[i], bCols, c[i], s.N);
                }
            }
            else
            {
                Parallel.For(0, threads, t =>
                {
                    for (int i = s.Batch * t / threads; i < s.Batch * (t + 1) / threads; i++)
                    {
                        Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a[i], aCols, b[i], bCols, c[i], s.N);
                    }
                });
            }
        }

        for (int i = 0; i < 3; i++)
        {
            Once();
        }

        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.05)
        {
            Once();
            calls++;
        }

        int perRun = Math.Max(1, (int)(calls * (seconds / 5) / sw.Elapsed.TotalSeconds));
        var rates = new List<double>();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        for (int run = 0; run < 5; run++)
        {
            process.Refresh();
            TimeSpan cpu0 = process.TotalProcessorTime;
            sw.Restart();
            for (int i = 0; i < perRun; i++)
            {
                Once();
            }

            double elapsed = sw.Elapsed.TotalSeconds;
            if (UseCpuTime)
            {
                process.Refresh();
                elapsed = (process.TotalProcessorTime - cpu0).TotalSeconds / threads;
            }

            rates.Add(2.0 * s.M * s.N * s.K * s.Batch * perRun / elapsed / 1e9);
        }

        return rates.Max();
    }

    /// <summary>
    /// Divide by process CPU time per thread instead of wall time: a tuning aid on a shared machine
    /// (it hides time spent descheduled), never used for the reported comparison.
    /// </summary>
    internal static bool UseCpuTime { get; set; }

    /// <summary>The shape as torch_gemm_shapes.py takes it: ta,tb,m,n,k,batch.</summary>
    public static string Spec(Shape s) => $"{(s.TransA ? 1 : 0)},{(s.TransB ? 1 : 0)},{s.M},{s.N},{s.K},{s.Batch}";

    private static float[] Fill(int count, Random rng)
    {
        var x = new float[count];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return x;
    }
}
