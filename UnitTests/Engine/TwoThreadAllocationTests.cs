using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

/// <summary>
/// With two threads the engine hands work to its helper team as structs on the caller's stack: once warm, training
/// steps and single-sentence predictions allocate nothing, on the calling thread or in the helpers' jobs (the thread
/// pool's Parallel.For allocated kilobytes per step). The whole process is not measured: the test host allocates now
/// and then on threads of its own.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class TwoThreadAllocationTests
{
    [TestMethod]
    [DataRow("none")]
    [DataRow("rope")]
    public void TrainingStepsAndPredictionsWithTwoThreadsAllocateNothingOnceWarm(string scheme)
    {
        // Big enough that products, attention heads and row loops all take their parallel paths.
        var config = new TransformerConfig { Vocabulary = 100, ModelDimension = 64, Heads = 2, Layers = 2, FeedForwardDimension = 256, MaxTokens = 64, Dropout = 0f };
        var model = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 1) { Threads = 2 };
        var optimiser = new AdamW(model.Parameters) { Threads = 2 };
        var rng = new Random(1);
        int[] ids = [.. Enumerable.Range(0, 16 * 64).Select(_ => rng.Next(100))];
        int[] lengths = [.. Enumerable.Range(0, 16).Select(i => 64 - i)];
        int[] labels = [.. Enumerable.Range(0, 16).Select(i => i % 3)];
        void Step(long s)
        {
            model.ZeroGrad();
            model.Forward(ids, lengths, 16, 64, training: true, s);
            model.Loss(labels);
            model.Backward();
            optimiser.Update(1e-3);
        }

        var probs = new float[3];
        var sentence = ids.AsSpan(0, 48).ToArray();
        for (int s = 0; s < 10; s++)
        {
            Step(s);
            model.Predict(sentence, probs);
        }

        long caller = GC.GetAllocatedBytesForCurrentThread();
        long helpers = WorkerTeam.HelperAllocatedBytes;
        for (int s = 10; s < 20; s++)
        {
            Step(s);
            for (int i = 0; i < 4; i++)
            {
                model.Predict(sentence, probs);
            }
        }

        caller = GC.GetAllocatedBytesForCurrentThread() - caller;
        helpers = WorkerTeam.HelperAllocatedBytes - helpers;
        Assert.AreEqual(0L, caller, $"bytes allocated on the calling thread by 10 steps and 40 predictions ({scheme})");
        Assert.AreEqual(0L, helpers, $"bytes allocated by helper threads inside the jobs of 10 steps and 40 predictions ({scheme})");
    }
}
