using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.TorchSharp;
using MLComponents.UnitTests.Engine;
using TorchSharp;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// One model, two backends: a model trained on TorchSharp predicts the same with the managed engine (labels equal,
/// probabilities within 1e-5) and the reverse; a managed model continues training on TorchSharp from its own weights;
/// the word-order task reaches the same accuracy floor with either backend; a seeded TorchSharp run repeats bit for bit
/// on the CPU; libtorch's thread count follows the options' Threads.
/// </summary>
[TestClass]
[DoNotParallelize] // TorchSharp 0.107 can free an implicit Scalar mid-call when another thread's allocation triggers a GC (Trainers/TorchSharp/README.md)
public sealed class CrossBackendTests
{
    public TestContext TestContext { get; set; } = null!;

    private static SequenceClassifierOptions OrderOptions(int epochs, float dropout = 0f) => new()
    {
        Layers = 2, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = dropout, MaxTokens = 16,
        Vocabulary = OrderTask.Vocabulary, Classes = 2, PositionEncoding = PE.Rotary(),
        Epochs = epochs, BatchSize = 32, LearningRate = 3e-3, WeightDecay = 0.01f, WarmupFraction = 0.05, ClipNorm = 1.0,
        Seed = 3, Threads = 2, EarlyStoppingPatience = 0,
    };

    private static (double MaxProbabilityDifference, int LabelMismatches) Compare(float[] a, float[] b, int classes)
    {
        double diff = 0;
        int mismatches = 0;
        for (int i = 0; i < a.Length / classes; i++)
        {
            var pa = a.AsSpan(i * classes, classes);
            var pb = b.AsSpan(i * classes, classes);
            for (int c = 0; c < classes; c++)
            {
                diff = Math.Max(diff, Math.Abs(pa[c] - pb[c]));
            }
            mismatches += ArgMax(pa) != ArgMax(pb) ? 1 : 0;
        }
        return (diff, mismatches);
    }

    private static int ArgMax(ReadOnlySpan<float> p)
    {
        int arg = 0;
        for (int j = 1; j < p.Length; j++)
        {
            if (p[j] > p[arg])
            {
                arg = j;
            }
        }
        return arg;
    }

    [TestMethod]
    public void TorchSharpTrainedModelPredictsTheSameWithTheManagedEngine()
    {
        var (train, trainLabels) = OrderTask.Make(600, seed: 1);
        var (test, _) = OrderTask.Make(300, seed: 2, minLength: 2, maxLength: 16);
        var trained = new TorchClassifierTrainer(OrderOptions(epochs: 2, dropout: 0.1f)).Fit(train, trainLabels).Model;

        var managed = new float[test.Length * 2];
        trained.Predict(test, managed);
        using var torchModel = new TorchSequenceClassifier(trained);
        var torchProbabilities = torchModel.Predict(test);
        var (diff, mismatches) = Compare(torchProbabilities, managed, 2);
        TestContext.WriteLine($"torch-trained: max |p_torch - p_managed| = {diff:E2}, label mismatches {mismatches} of {test.Length}");
        Assert.AreEqual(0, mismatches, "predicted labels");
        Assert.IsLessThanOrEqualTo(1e-5, diff, "probabilities");
        // The single-sentence path of the managed engine gives the same scores too.
        var one = new float[2];
        trained.Predict(test[0], one);
        Assert.AreEqual(torchProbabilities[0], one[0], 1e-5f);
    }

    [TestMethod]
    public void ManagedTrainedModelPredictsTheSameWithTorchSharpAndContinuesTrainingThere()
    {
        var (train, trainLabels) = OrderTask.Make(1200, seed: 1);
        var (test, testLabels) = OrderTask.Make(300, seed: 2);
        var managed = new SequenceClassifierTrainer(OrderOptions(epochs: 4)).Fit(train, trainLabels);

        var managedProbabilities = new float[test.Length * 2];
        managed.Predict(test, managedProbabilities);
        using (var torchModel = new TorchSequenceClassifier(managed))
        {
            var (diff, mismatches) = Compare(torchModel.Predict(test), managedProbabilities, 2);
            TestContext.WriteLine($"managed-trained: max |p_torch - p_managed| = {diff:E2}, label mismatches {mismatches} of {test.Length}");
            Assert.AreEqual(0, mismatches, "predicted labels");
            Assert.IsLessThanOrEqualTo(1e-5, diff, "probabilities");
        }

        // Continue on TorchSharp. Its first step sees the first batch of the seeded order at the managed weights, so the
        // loss it reports is the managed model's loss on that batch: training starts where the managed run stopped.
        var options = OrderOptions(epochs: 1) with { ProgressInterval = 1, LearningRate = 5e-4 };
        var order = new int[train.Length];
        var offsets = LengthBuckets.Plan(train, order, options.BatchSize, options.BucketBatches, new Random(options.Seed));
        var first = new PaddedBatch(options.BatchSize, options.MaxTokens);
        first.Fill(train, 0, offsets[1], order);
        managed.Forward(first.Ids, first.Lengths, first.Count, first.Length, training: false);
        double managedFirstLoss = managed.Loss(order[..offsets[1]].Select(i => trainLabels[i]).ToArray());

        var (before, _) = SequenceClassifierTrainer.Evaluate(managed, test, testLabels);
        double? firstLoss = null;
        var progress = new SynchronousProgress<TrainingProgress>(p => firstLoss ??= p.Loss);
        var continued = new TorchClassifierTrainer(options).Fit(train, trainLabels, progress: progress, initialModel: managed).Model;
        var (after, _) = SequenceClassifierTrainer.Evaluate(continued, test, testLabels);
        TestContext.WriteLine($"managed accuracy {before:F4} -> after one more epoch on TorchSharp {after:F4}; " +
            $"first TorchSharp step loss {firstLoss:F6} vs managed {managedFirstLoss:F6}");
        Assert.AreEqual(managedFirstLoss, firstLoss!.Value, 1e-4 * managedFirstLoss, "the first TorchSharp step starts from the managed weights");
        Assert.IsGreaterThanOrEqualTo(0.9, before, "the managed model learnt the task");
        Assert.IsGreaterThanOrEqualTo(before - 0.01, after, "continued training keeps the accuracy");
        Assert.AreNotSame(managed, continued, "the given model is not changed");
    }

    [TestMethod]
    public void WordOrderTaskReachesTheSameAccuracyFloorWithEitherBackend()
    {
        var (train, trainLabels) = OrderTask.Make(2000, seed: 1);
        var (test, testLabels) = OrderTask.Make(600, seed: 2);
        var results = new Dictionary<TransformerBackend, double>();
        foreach (var backend in new[] { TransformerBackend.Managed, TransformerBackend.TorchSharp })
        {
            var trained = EncoderTrainingBackends.Get(backend, "cpu").FitClassifier(OrderOptions(epochs: 5), train, trainLabels);
            var (accuracy, _) = SequenceClassifierTrainer.Evaluate(trained.Model, test, testLabels);
            results[backend] = accuracy;
            Assert.AreEqual(5, trained.EpochsTrained);
            Assert.IsGreaterThanOrEqualTo(0.98, accuracy, $"{backend} test accuracy (RoPE)");
        }
        TestContext.WriteLine($"word order, RoPE, 5 epochs: managed {results[TransformerBackend.Managed]:F4}, TorchSharp {results[TransformerBackend.TorchSharp]:F4}");
    }

    [TestMethod]
    public void SeededTorchSharpRunsRepeatOnTheCpuAndFollowThreads()
    {
        var (train, trainLabels) = OrderTask.Make(200, seed: 4);
        var options = OrderOptions(epochs: 1, dropout: 0.1f) with { Threads = 1, ProgressInterval = 1 };
        int before = torch.get_num_threads();
        var threadsSeen = new HashSet<int>();
        var progress = new SynchronousProgress<TrainingProgress>(_ => threadsSeen.Add(torch.get_num_threads()));
        var a = new TorchClassifierTrainer(options).Fit(train, trainLabels, progress: progress).Model;
        var b = new TorchClassifierTrainer(options).Fit(train, trainLabels).Model;
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            CollectionAssert.AreEqual(a.Parameters[i].Value, b.Parameters[i].Value, $"{a.Parameters[i].Name} differs between two seeded runs");
        }
        CollectionAssert.AreEquivalent(new[] { 1 }, threadsSeen.ToArray(), "libtorch threads while training with Threads = 1");
        Assert.AreEqual(before, torch.get_num_threads(), "the previous thread count is restored");
        var c = new TorchClassifierTrainer(options with { Seed = 5 }).Fit(train, trainLabels).Model;
        Assert.AreNotEqual(a.Parameters[0].Value[0], c.Parameters[0].Value[0], "another seed gives another model");
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
