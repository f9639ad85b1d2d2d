using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLComponents.Benchmarks;

/// <summary>
/// The machine's single-core float FMA peak: twelve independent 8-lane FMA chains in registers, no memory traffic,
/// so the figure is (FMA pipes x lanes x 2 flops x clock). GEMM and model figures are judged against it.
/// </summary>
internal static class FmaPeak
{
    /// <summary>Best of 7 runs, GFLOPS per CPU-second of the calling thread's process (one thread).</summary>
    public static double Measure()
    {
        if (!Fma.IsSupported)
        {
            return double.NaN;
        }

        double best = 0;
        for (int run = 0; run < 7; run++)
        {
            using var proc = Process.GetCurrentProcess();
            var cpu0 = proc.TotalProcessorTime;
            const long Iterations = 20_000_000;
            float sink = Chains(Iterations, 1.0000001f);
            proc.Refresh();
            double seconds = (proc.TotalProcessorTime - cpu0).TotalSeconds;
            best = Math.Max(best, 12 * 8 * 2.0 * Iterations / seconds / 1e9 + (sink == 42f ? 1e-9 : 0));
        }

        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains(long iterations, float factor)
    {
        var m = Vector256.Create(factor);
        var a = Vector256.Create(1e-3f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a); c2 = Fma.MultiplyAdd(c2, m, a);
            c3 = Fma.MultiplyAdd(c3, m, a); c4 = Fma.MultiplyAdd(c4, m, a); c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a); c8 = Fma.MultiplyAdd(c8, m, a);
            c9 = Fma.MultiplyAdd(c9, m, a); c10 = Fma.MultiplyAdd(c10, m, a); c11 = Fma.MultiplyAdd(c11, m, a);
        }

        var s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
        return s.ToScalar();
    }
}
