using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>
/// Splits C into contiguous row (or column) strips, one per thread, each run by <see cref="GemmDriver"/>.
/// Strips are whole micro-tiles, and k is never split, so each element's arithmetic is unchanged.
/// The longer side of C is split, so the operand packed twice is the smaller one.
/// </summary>
internal static unsafe class GemmParallel
{
    /// <summary>C[m,n] (+)= op(A) op(B) using up to <paramref name="threads"/> threads.</summary>
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate, int threads)
    {
        bool byRows = m >= n;
        int unit = byRows ? GemmKernels.MR : GemmKernels.NR;
        int extent = byRows ? m : n;
        int units = (extent + unit - 1) / unit;
        int parts = Math.Min(threads, units);
        if (parts <= 1)
        {
            GemmDriver.Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            return;
        }

        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int start = (int)((long)units * part / parts) * unit;
            int end = Math.Min(extent, (int)((long)units * (part + 1) / parts) * unit);
            if (end <= start)
            {
                return;
            }

            float* a0 = (float*)pa, b0 = (float*)pb, c0 = (float*)pc;
            if (byRows)
            {
                float* aS = transA ? a0 + start : a0 + start * lda;
                GemmDriver.Run(transA, transB, end - start, n, k, aS, lda, b0, ldb, c0 + start * ldc, ldc, accumulate);
            }
            else
            {
                float* bS = transB ? b0 + start * ldb : b0 + start;
                GemmDriver.Run(transA, transB, m, end - start, k, a0, lda, bS, ldb, c0 + start, ldc, accumulate);
            }
        });
    }
}
