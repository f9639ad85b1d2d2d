namespace MLComponents.Engine;

/// <summary>
/// Splits C into contiguous row strips, a few per thread, each run by <see cref="GemmDriver"/>. B is packed once
/// (its panels shared out among the threads) and read by every strip, so splitting costs no repacking; each strip
/// packs only its own rows of A. Strips are whole micro-tiles and k is never split, so each element's arithmetic
/// is unchanged.
/// </summary>
internal static unsafe class GemmParallel
{
    /// <summary>Most strips per thread.</summary>
    private const int StripsPerThread = 4;

    /// <summary>Least multiply-adds per strip beyond one strip per thread.</summary>
    private const long StripMinFlops = 1L << 21;

    /// <summary>Least floats of B worth packing on more than one thread.</summary>
    private const int ParallelPackMinFloats = 1 << 15;

    /// <summary>C[m,n] (+)= op(A) op(B) using up to <paramref name="threads"/> threads.</summary>
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate, int threads, in GemmEpilogue epilogue)
    {
        const int MR = GemmKernels.MR;
        int units = (m + MR - 1) / MR;
        // More strips than threads, handed out dynamically: on a shared machine a descheduled thread then delays
        // one small strip, not half the product.
        long flops = (long)m * n * k;
        int parts = (int)Math.Clamp(flops / StripMinFlops, threads, (long)threads * StripsPerThread);
        parts = Math.Min(parts, units);
        if (parts <= 1)
        {
            GemmDriver.Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, null, epilogue);
            return;
        }

        float* packed = null;
        if (GemmDriver.PacksB(transB, m))
        {
            int size = GemmDriver.PackedBSize(k, n);
            packed = GemmScratch.Current.SharedB(size);
            int panels = GemmDriver.Panels(n);
            if (size >= ParallelPackMinFloats && panels > 1)
            {
                PackParallel(transB, b, ldb, k, n, packed, panels, threads);
            }
            else
            {
                GemmDriver.PackAllB(transB, b, ldb, k, n, packed, 0, panels);
            }
        }

        StripsParallel(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, packed, epilogue, units, parts, threads);
    }

    private static void PackParallel(bool transB, float* b, nint ldb, int k, int n, float* packed, int panels, int threads)
    {
        var pack = new PackPanels(transB, b, ldb, k, n, packed);
        Parallelism.For(threads, panels, ref pack);
    }

    private static void StripsParallel(bool transA, bool transB, int m, int n, int k, float* a, nint lda, float* b, nint ldb,
        float* c, nint ldc, bool accumulate, float* packed, GemmEpilogue epilogue, int units, int parts, int threads)
    {
        var strips = new Strips(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, packed, epilogue, units, parts);
        WorkerTeam.Run(threads, parts, ref strips);
    }

    private readonly struct PackPanels(bool transB, float* b, nint ldb, int k, int n, float* packed) : IRangeWork
    {
        public void Run(int start, int end) => GemmDriver.PackAllB(transB, b, ldb, k, n, packed, start, end);
    }

    private readonly struct Strips(bool transA, bool transB, int m, int n, int k, float* a, nint lda, float* b, nint ldb,
        float* c, nint ldc, bool accumulate, float* packed, GemmEpilogue epilogue, int units, int parts) : IPartWork
    {
        public void Run(int part)
        {
            const int MR = GemmKernels.MR;
            int start = (int)((long)units * part / parts) * MR;
            int end = Math.Min(m, (int)((long)units * (part + 1) / parts) * MR);
            if (end <= start)
            {
                return;
            }

            float* aS = transA ? a + start : a + start * lda;
            GemmDriver.Run(transA, transB, end - start, n, k, aS, lda, b, ldb, c + start * ldc, ldc, accumulate, packed, epilogue.Down(start, ldc));
        }
    }
}
