namespace MLComponents.Engine;

/// <summary>
/// Splits [0, count) into at most <c>threads</c> contiguous ranges and runs them in parallel. Each range is
/// processed by one thread in index order, so results never depend on scheduling. Callers keep the
/// single-thread path free of this helper (and of closures) so inference with one thread allocates nothing.
/// </summary>
internal static class Parallelism
{
    public static void ForRanges(int threads, int count, Action<int, int> range)
    {
        int chunks = Math.Min(threads, count);
        if (chunks <= 1)
        {
            range(0, count);
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = chunks };
        Parallel.For(0, chunks, options, c => range((int)((long)c * count / chunks), (int)((long)(c + 1) * count / chunks)));
    }

    /// <summary>As <see cref="ForRanges"/>, also passing the chunk index (for per-chunk scratch space).</summary>
    public static void ForChunks(int chunks, int count, Action<int, int, int> range)
    {
        chunks = Math.Min(chunks, count);
        if (chunks <= 1)
        {
            range(0, 0, count);
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = chunks };
        Parallel.For(0, chunks, options, c => range(c, (int)((long)c * count / chunks), (int)((long)(c + 1) * count / chunks)));
    }

    /// <summary>True when a loop of <paramref name="count"/> units of <paramref name="work"/> flops is worth splitting.</summary>
    public static bool Worth(int threads, int count, long work) => threads > 1 && count > 1 && (long)count * work >= 32_768;
}
