using System.Runtime.InteropServices;
using MLComponents.Engine;

namespace MLComponents.Benchmarks;

/// <summary>
/// Per-layer wall time of one training step of the reference model (forward and backward per layer kind, the
/// optimiser), from the engine's <see cref="StepProfiler"/>, so the next bottleneck is visible.
/// </summary>
internal static class StepBreakdown
{
    /// <summary>Per part: forward and backward milliseconds per step, and the measured step time.</summary>
    internal sealed record Result(Dictionary<StepPart, (double Forward, double Backward)> Parts, double StepMs);

    /// <summary>
    /// Runs 3 warm-up steps, then <paramref name="steps"/> profiled steps; per part the mean over the steps, or with
    /// <paramref name="minimum"/> the least (a tuning aid: the step least disturbed by other processes, per part).
    /// </summary>
    public static Result Measure(IModelWorkload model, int steps = 10, bool minimum = false) => Measure(model.TrainStep, steps, minimum);

    /// <summary>As <see cref="Measure(IModelWorkload, int, bool)"/> for any engine call (a training step, one sentence's forward).</summary>
    public static Result Measure(Action call, int steps, bool minimum)
    {
        for (int i = 0; i < 3; i++)
        {
            call();
        }

        var all = Enum.GetValues<StepPart>();
        var sums = all.ToDictionary(p => p, _ => (Forward: 0.0, Backward: 0.0));
        var mins = all.ToDictionary(p => p, _ => (Forward: double.MaxValue, Backward: double.MaxValue));
        double stepSum = 0, stepMin = double.MaxValue;
        StepProfiler.Enabled = true;
        for (int i = 0; i < steps; i++)
        {
            StepProfiler.Reset();
            long start = StepProfiler.Clock.Now();
            call();
            double step = (StepProfiler.Clock.Now() - start) * 1e3 / StepProfiler.Clock.Frequency;
            stepSum += step;
            stepMin = Math.Min(stepMin, step);
            foreach (var p in all)
            {
                double f = StepProfiler.Seconds(p, false) * 1e3, b = StepProfiler.Seconds(p, true) * 1e3;
                sums[p] = (sums[p].Forward + f, sums[p].Backward + b);
                mins[p] = (Math.Min(mins[p].Forward, f), Math.Min(mins[p].Backward, b));
            }
        }

        StepProfiler.Enabled = false;
        return minimum
            ? new Result(mins, stepMin)
            : new Result(sums.ToDictionary(kv => kv.Key, kv => (kv.Value.Forward / steps, kv.Value.Backward / steps)), stepSum / steps);
    }

    /// <summary>Prints one column pair (forward, backward ms per step) per thread count, with each part's share of the step.</summary>
    public static void Print(TextWriter output, IReadOnlyList<(int Threads, Result Result)> runs,
        string title = "Training step breakdown, ms per step (wall time per layer kind, all layers summed; share of the step)")
    {
        output.WriteLine();
        output.WriteLine(title);
        output.WriteLine($"  {"part",-20}" + string.Concat(runs.Select(r => $" {"t" + r.Threads + " fwd",9} {"t" + r.Threads + " bwd",9} {"share",6}")));
        foreach (StepPart part in Enum.GetValues<StepPart>())
        {
            output.Write($"  {Name(part),-20}");
            foreach (var (_, r) in runs)
            {
                var (f, b) = r.Parts[part];
                output.Write($" {f,9:F2} {b,9:F2} {(f + b) / r.StepMs,6:P0}");
            }

            output.WriteLine();
        }

        output.Write($"  {"sum of parts",-20}");
        foreach (var (_, r) in runs)
        {
            output.Write($" {r.Parts.Values.Sum(v => v.Forward),9:F2} {r.Parts.Values.Sum(v => v.Backward),9:F2} {r.Parts.Values.Sum(v => v.Forward + v.Backward) / r.StepMs,6:P0}");
        }

        output.WriteLine();
        output.Write($"  {"measured step",-20}");
        foreach (var (_, r) in runs)
        {
            output.Write($" {r.StepMs,19:F2} {"",6}");
        }

        output.WriteLine();
    }

    /// <summary>Tuning aid: profile by the calling thread's CPU time (Linux), for single-threaded steps on a busy machine.</summary>
    public static void UseThreadCpuClock() => StepProfiler.Clock = (ThreadCpuNanoseconds, 1_000_000_000);

    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTime = 3;
        _ = clock_gettime(ClockThreadCpuTime, out TimeSpec t);
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    private static string Name(StepPart part) => part switch
    {
        StepPart.Embedding => "embedding",
        StepPart.LayerNorm => "layernorm",
        StepPart.QkvProjection => "linear qkv",
        StepPart.Attention => "attention (+RoPE)",
        StepPart.OutProjection => "linear out",
        StepPart.FeedForwardUp => "linear ffn up",
        StepPart.FeedForwardDown => "linear ffn down",
        StepPart.FeedForwardBlocks => "ffn in row blocks",
        StepPart.Residual => "residual adds",
        StepPart.HeadAndLoss => "pool+head+loss",
        StepPart.ZeroGrad => "zero grad",
        StepPart.Optimiser => "adamw",
        _ => part.ToString(),
    };
}
