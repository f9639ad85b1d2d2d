using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.TorchSharp;
using MLComponents.UnitTests.Engine;
using TorchSharp;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// A thousand TorchSharp training steps through the real trainer loop (tiny model, dropout, FIRE, padded batches of
/// varying length): every step's tensors die with its dispose scope, so the number of live tensors between steps does
/// not change and the process's resident memory grows by less than 5 % after the first 50 steps.
/// </summary>
[TestClass]
// Alone: resident memory is per process, so tests running alongside would move it; and TorchSharp 0.107 can free an
// implicit Scalar mid-call when another thread's allocation triggers a GC (Trainers/TorchSharp/README.md).
[DoNotParallelize]
public sealed class NativeMemoryTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void AThousandStepsKeepNativeMemoryFlat()
    {
        var (train, labels) = OrderTask.Make(104, seed: 9, minLength: 3, maxLength: 12);
        var options = new SequenceClassifierOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0.1f, MaxTokens = 12,
            Vocabulary = OrderTask.Vocabulary, Classes = 2, PositionEncoding = MLComponents.PositionEncoding.Fire(hidden: 8),
            Epochs = 77, BatchSize = 8, Seed = 1, Threads = 1, EarlyStoppingPatience = 0, ProgressInterval = 0,
        };
        // A process's first few hundred steps also tier up the JIT's code and size the GC's heap; that one-off growth is
        // not what this measures, so a short run comes first.
        new TorchClassifierTrainer(options with { Epochs = 20 }).Fit(train, labels);

        long baselineMalloc = 0, peakMalloc = 0;
        long baselineRss = 0, baselineLive = 0, peakRss = 0, lastStep = 0, liveAtEnd = 0;
        var progress = new CrossBackendTests.SynchronousProgress<TrainingProgress>(p =>
        {
            if (!p.EpochEnd)
            {
                return;
            }
            // Managed garbage is not native memory: collect it so resident memory shows what libtorch holds.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long rss = CurrentRss();
            long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            if (baselineRss == 0 && p.Step >= 50)
            {
                baselineRss = rss;
                baselineLive = live;
            }
            if (baselineRss > 0)
            {
                peakRss = Math.Max(peakRss, rss);
                long malloc = MallocInUse();
                baselineMalloc = baselineMalloc == 0 ? malloc : baselineMalloc;
                peakMalloc = Math.Max(peakMalloc, malloc);
            }
            lastStep = p.Step;
            liveAtEnd = live;
        });
        new TorchClassifierTrainer(options).Fit(train, labels, progress: progress);
        double growth = (double)(peakRss - baselineRss) / baselineRss;
        TestContext.WriteLine($"{lastStep} steps: RSS {baselineRss / 1048576.0:F1} MiB after the first 50 steps, at most {peakRss / 1048576.0:F1} MiB after " +
            $"({growth:P2}); malloc'd bytes in use {baselineMalloc / 1048576.0:F1} -> at most {peakMalloc / 1048576.0:F1} MiB; " +
            $"live tensors between steps {baselineLive} -> {liveAtEnd}");
        Assert.IsGreaterThanOrEqualTo(1000L, lastStep);
        Assert.IsLessThan(0.05, growth, "resident memory growth after the first 50 steps");
        Assert.AreEqual(baselineLive, liveAtEnd, "tensors alive between steps (a growing count is a leak)");
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 MallInfo();

    // glibc's count of bytes malloc has handed out (libtorch's CPU tensors come from it); 0 where there is no mallinfo2.
    private static long MallocInUse()
    {
        try
        {
            var m = MallInfo();
            return (long)(m.Uordblks + m.Hblkhd);
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    private static long CurrentRss()
    {
        // VmRSS of /proc/self/status (kB): what the kernel counts, native allocations included.
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        return Environment.WorkingSet;
    }
}
