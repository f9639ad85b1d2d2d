using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

[TestClass]
public sealed class DeterminismAndAllocationTests
{
    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<double> Losses { get; } = [];

        public void Report(TrainingProgress value) => Losses.Add(value.Loss);
    }

    private static (SequenceClassifier Model, List<double> Losses) Train(int seed, int threads)
    {
        var (train, labels) = OrderTask.Make(300, seed: 4);
        var options = new SequenceClassifierOptions
        {
            Layers = 2, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0.1f, MaxTokens = 16,
            Vocabulary = OrderTask.Vocabulary, PositionEncoding = EngineTestKit.Scheme("rope"), Epochs = 2, BatchSize = 16,
            Seed = seed, Threads = threads, ProgressInterval = 5, LabelSmoothing = 0.05f,
        };
        var recorder = new Recorder();
        var model = new SequenceClassifierTrainer(options).Fit(train, labels, progress: recorder);
        return (model, recorder.Losses);
    }

    [TestMethod]
    public void SameSeedAndThreadsGiveBitIdenticalLossesAndWeights()
    {
        var (a, lossesA) = Train(seed: 7, threads: 2);
        var (b, lossesB) = Train(seed: 7, threads: 2);
        Assert.IsGreaterThan(4, lossesA.Count);
        CollectionAssert.AreEqual(lossesA, lossesB);
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            CollectionAssert.AreEqual(a.Parameters[i].Value, b.Parameters[i].Value, a.Parameters[i].Name);
        }
        var (c, lossesC) = Train(seed: 8, threads: 2);
        CollectionAssert.AreNotEqual(lossesA, lossesC, "a different seed should give a different run");
        _ = c;
    }

    [TestMethod]
    [DataRow("none")]
    [DataRow("rope")]
    [DataRow("rope-dynamic-ntk")]
    [DataRow("rope-dynamic-yarn")]
    public void TrainingStepsAndSingleSentencePredictionAllocateNothingOnceWarm(string scheme)
    {
        // Measured on the calling thread with Threads = 1 (Parallel.For itself allocates its task bookkeeping).
        var config = new TransformerConfig { Vocabulary = 50, ModelDimension = 32, Heads = 2, Layers = 2, FeedForwardDimension = 64, MaxTokens = 32, Dropout = 0.1f };
        var model = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 1) { Threads = 1 };
        var optimiser = new AdamW(model.Parameters);
        var rng = new Random(1);
        int[] ids = [.. Enumerable.Range(0, 4 * 32).Select(_ => rng.Next(50))];
        int[] lengths = [32, 20, 7, 32];
        int[] labels = [0, 1, 2, 1];
        void Step(long s)
        {
            model.ZeroGrad();
            model.Forward(ids, lengths, 4, 32, training: true, s);
            model.Loss(labels, null, 0.1f);
            model.Backward();
            AdamW.ClipGradientNorm(model.Parameters, 1.0);
            optimiser.Update(1e-3);
        }
        var probs = new float[3];
        var sentence = ids.AsSpan(0, 32).ToArray();
        Step(0);
        model.Predict(sentence, probs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int s = 1; s <= 5; s++)
        {
            Step(s);
        }
        long training = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            model.Predict(sentence, probs);
        }
        long predicting = GC.GetAllocatedBytesForCurrentThread() - before;
        // Neither the engine nor the position hooks allocate once buffers are planned.
        Assert.AreEqual(0L, training, $"bytes allocated by 5 training steps ({scheme})");
        Assert.AreEqual(0L, predicting, $"bytes allocated by 20 single-sentence predictions ({scheme})");
    }
}
