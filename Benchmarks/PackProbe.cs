using System.Diagnostics;
using MLComponents.Engine;

namespace MLComponents.Benchmarks;

/// <summary>Tuning aid: nanoseconds per packing call for the attention-sized B panels.</summary>
internal static unsafe class PackProbe
{
    public static void Run()
    {
        float* b = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(64 * 64 * 4, 64);
        float* d = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(64 * 64 * 4, 64);
        for (int i = 0; i < 64 * 64; i++) b[i] = i;
        foreach (bool t in new[] { false, true })
        {
            for (int run = 0; run < 3; run++)
            {
                var proc = Process.GetCurrentProcess();
                proc.Refresh();
                var cpu0 = proc.TotalProcessorTime;
                const int Reps = 200000;
                for (int r = 0; r < Reps; r++)
                {
                    GemmPacking.PackB(t, b, t ? 32 : 64, 32, 64, d);
                }

                proc.Refresh();
                Console.WriteLine($"PackB trans={t} 32x64: {(proc.TotalProcessorTime - cpu0).TotalMilliseconds * 1e6 / Reps:F0} ns");
            }
        }
    }
}
