using System.Diagnostics;
using MLComponents.Engine;

namespace MLComponents.Benchmarks;

/// <summary>Peak of the bare 6x16 micro-kernel on L1-resident panels: the ceiling the blocking can reach.</summary>
internal static unsafe class KernelProbe
{
    public static double Measure(int kc = 256)
    {
        float* a = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(kc * 6 * 4), 64);
        float* b = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(kc * 16 * 4), 64);
        float* c = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(96 * 4, 64);
        for (int i = 0; i < kc * 6; i++) a[i] = 0.001f;
        for (int i = 0; i < kc * 16; i++) b[i] = 0.001f;
        for (int i = 0; i < 96; i++) c[i] = 0;
        double best = 0;
        for (int run = 0; run < 7; run++)
        {
            var proc = Process.GetCurrentProcess();
            proc.Refresh();
            var cpu0 = proc.TotalProcessorTime;
            int reps = 100000;
            for (int r = 0; r < reps; r++)
                GemmKernels.KernelColumnA(kc, a, 6, b, 16, c, 16, true);
            proc.Refresh();
            best = Math.Max(best, 2.0 * 96 * kc * reps / (proc.TotalProcessorTime - cpu0).TotalSeconds / 1e9);
        }
        return best;
    }
}
