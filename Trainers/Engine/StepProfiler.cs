using System.Diagnostics;

namespace MLComponents.Engine;

/// <summary>The parts of a training step the benchmark's per-layer breakdown reports.</summary>
internal enum StepPart
{
    Embedding,
    LayerNorm,
    QkvProjection,
    Attention,
    OutProjection,
    FeedForwardUp,
    FeedForwardDown,

    /// <summary>Inference's feed-forward in row blocks (up, GELU and down together, <see cref="FeedForwardBlocks"/>).</summary>
    FeedForwardBlocks,
    Residual,
    HeadAndLoss,
    ZeroGrad,
    Optimiser,
}

/// <summary>
/// Wall time per <see cref="StepPart"/> and direction, summed over the steps run while <see cref="Enabled"/>.
/// A benchmark aid: off by default, when it costs one static-field test per layer call; on, one timestamp
/// pair per layer call and no allocation. Not thread-safe: the engine's layers are called from one thread (work that
/// runs on several threads at once reports through <see cref="Share"/>, which is).
/// </summary>
internal static class StepProfiler
{
    private static readonly long[] s_ticks = new long[Enum.GetValues<StepPart>().Length * 2];
    private static readonly long[] s_shares = new long[Enum.GetValues<StepPart>().Length];

    /// <summary>Collect timings (the benchmark turns this on for its breakdown run only).</summary>
    public static bool Enabled { get; set; }

    /// <summary>
    /// The clock and its ticks per second: wall time by default; a tuning run on a shared machine may set the calling
    /// thread's CPU time instead (single-threaded steps only), which hides time spent descheduled.
    /// </summary>
    public static (Func<long> Now, long Frequency) Clock { get; set; } = (Stopwatch.GetTimestamp, Stopwatch.Frequency);

    /// <summary>A start timestamp, or 0 when profiling is off.</summary>
    public static long Start() => Enabled ? Clock.Now() : 0;

    /// <summary>Adds the time since <paramref name="start"/> to a part's forward or backward total; returns a new start.</summary>
    public static long Stop(StepPart part, bool backward, long start)
    {
        if (!Enabled)
        {
            return 0;
        }

        long now = Clock.Now();
        s_ticks[((int)part * 2) + (backward ? 1 : 0)] += now - start;
        return now;
    }

    /// <summary>
    /// Adds the time since <paramref name="start"/> to a part's share of work that runs on several threads at once (a layer
    /// by groups of sequences, <see cref="SequenceGroupLayer"/>); returns a new start. Thread-safe; <see cref="StopShared"/>
    /// turns the shares into wall time.
    /// </summary>
    public static long Share(StepPart part, long start)
    {
        if (!Enabled)
        {
            return 0;
        }

        long now = Clock.Now();
        Interlocked.Add(ref s_shares[(int)part], now - start);
        return now;
    }

    /// <summary>
    /// Splits the wall time since <paramref name="start"/> (the parallel work plus what ran around it) over the parts in
    /// proportion to their <see cref="Share"/>d time, adds it to their forward or backward totals and clears the shares;
    /// returns a new start.
    /// </summary>
    public static long StopShared(bool backward, long start)
    {
        if (!Enabled)
        {
            return 0;
        }

        long now = Clock.Now(), sum = 0;
        foreach (long t in s_shares)
        {
            sum += t;
        }

        for (int part = 0; part < s_shares.Length && sum > 0; part++)
        {
            s_ticks[(part * 2) + (backward ? 1 : 0)] += (long)((now - start) * (double)s_shares[part] / sum);
        }

        Array.Clear(s_shares);
        return now;
    }

    /// <summary>Seconds spent in a part's forward or backward pass since the last <see cref="Reset"/>.</summary>
    public static double Seconds(StepPart part, bool backward) => s_ticks[((int)part * 2) + (backward ? 1 : 0)] / (double)Clock.Frequency;

    /// <summary>Clears every total.</summary>
    public static void Reset()
    {
        Array.Clear(s_ticks);
        Array.Clear(s_shares);
    }
}
