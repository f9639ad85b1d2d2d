using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>A loop body over a contiguous range [start, end) of some index space.</summary>
internal interface IRangeWork
{
    /// <summary>Runs indices [start, end) in order.</summary>
    void Run(int start, int end);
}

/// <summary>
/// Splits [0, count) into contiguous ranges and runs them on the <see cref="WorkerTeam"/>. Each range is processed by
/// one thread in index order and the ranges depend only on count and the part count, so results never depend on
/// scheduling. Loop bodies are structs passed by reference, so a parallel loop allocates nothing.
/// </summary>
internal static unsafe class Parallelism
{
    /// <summary>
    /// Runs <paramref name="work"/> over [0, count) in min(parts, count) ranges (parts 0: one per thread) on up to
    /// <paramref name="threads"/> threads; on the calling thread alone when one thread or one range.
    /// </summary>
    public static void For<T>(int threads, int count, ref T work, int parts = 0)
        where T : struct, IRangeWork
    {
        int chunks = Math.Min(parts > 0 ? parts : threads, count);
        if (threads <= 1 || chunks <= 1)
        {
            work.Run(0, count);
            return;
        }

        var ranges = new Ranges<T>(Unsafe.AsPointer(ref work), count, chunks);
        WorkerTeam.Run(threads, chunks, ref ranges);
    }

    /// <summary>As <see cref="For{T}"/> with a delegate (allocates; for cold paths).</summary>
    public static void ForRanges(int threads, int count, Action<int, int> range)
    {
        var work = new DelegateRange(range);
        For(threads, count, ref work);
    }

    /// <summary>Runs range(chunk, start, end) for min(chunks, count) chunks (chunk indexes per-chunk scratch space).</summary>
    public static void ForChunks(int chunks, int count, Action<int, int, int> range)
    {
        chunks = Math.Min(chunks, count);
        if (chunks <= 1)
        {
            range(0, 0, count);
            return;
        }

        var work = new DelegateChunk(range, count, chunks);
        WorkerTeam.Run(chunks, chunks, ref work);
    }

    /// <summary>True when a loop of <paramref name="count"/> units of <paramref name="work"/> flops is worth splitting.</summary>
    public static bool Worth(int threads, int count, long work) => threads > 1 && count > 1 && (long)count * work >= 32_768;

    private readonly struct Ranges<T>(void* work, int count, int chunks) : IPartWork
        where T : struct, IRangeWork
    {
        public void Run(int part) => Unsafe.AsRef<T>(work).Run((int)((long)part * count / chunks), (int)((long)(part + 1) * count / chunks));
    }

    private readonly struct DelegateRange(Action<int, int> range) : IRangeWork
    {
        public void Run(int start, int end) => range(start, end);
    }

    private readonly struct DelegateChunk(Action<int, int, int> range, int count, int chunks) : IPartWork
    {
        public void Run(int part) => range(part, (int)((long)part * count / chunks), (int)((long)(part + 1) * count / chunks));
    }
}
