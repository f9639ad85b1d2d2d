using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.TorchSharp;
using TorchSharp;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// The siamese head and both similarity losses agree across backends from the same weights: cosines, MSE and CoSENT
/// losses and every gradient within 1e-4 relative (both sides of a batch in one padded encoder pass); a model trained
/// on TorchSharp scores pairs the same with the managed engine; both backends reach the same ranking floor.
/// </summary>
[TestClass]
[DoNotParallelize] // TorchSharp 0.107 can free an implicit Scalar mid-call when another thread's allocation triggers a GC (Trainers/TorchSharp/README.md)
public sealed class SiameseParityTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly int[] Lengths = [9, 4, 12, 6, 12, 3];      // first sentences of 3 pairs, then their second sentences
    private static readonly float[] Labels = [0.9f, 0.1f, 0.5f];

    [TestMethod]
    [DataRow("rope", SimilarityLoss.MeanSquaredError)]
    [DataRow("rope", SimilarityLoss.CoSent)]
    [DataRow("fire", SimilarityLoss.CoSent)]
    [DataRow("shaw", SimilarityLoss.MeanSquaredError)]
    [DataRow("xpos", SimilarityLoss.MeanSquaredError)]
    public void CosinesLossesAndGradientsMatch(string scheme, SimilarityLoss loss)
    {
        var config = TorchTestKit.SmallConfig(0.1f);
        var managed = new SiameseModel(config, TorchTestKit.Scheme(scheme), seed: 3, new ScoreRange(0f, 1f));
        TorchTestKit.Randomise(managed.Parameters, 8);
        using var model = new TorchSiameseModel(managed, dropoutMasks: DropoutMasks.Engine);
        var rng = new Random(2);
        var ids = Enumerable.Range(0, 6 * 12).Select(_ => rng.Next(24)).ToArray();

        managed.ZeroGrad();
        var managedCos = managed.ForwardPairs(ids, Lengths, 3, 12, training: true, step: 1).ToArray();
        double managedLoss = managed.Loss(Labels, loss);
        managed.Backward();

        float[] torchCos;
        double torchLoss;
        using (torch.NewDisposeScope())
        {
            var cos = model.ForwardPairs(model.Batch(ids, Lengths, 6, 12), training: true, step: 1);
            var l = model.Loss(cos, Labels, loss);
            l.backward();
            torchCos = cos.detach().data<float>().ToArray();
            torchLoss = l.item<float>();
        }
        var grads = new SiameseModel(config, TorchTestKit.Scheme(scheme), seed: 3, new ScoreRange(0f, 1f));
        ParameterTransfer.CopyGradientsToManaged(model, grads.Parameters);

        double cosError = TorchTestKit.RelativeError(torchCos, managedCos);
        double lossError = Math.Abs(torchLoss - managedLoss) / Math.Abs(managedLoss);
        var (_, worst, silent) = TorchTestKit.CompareGradients(managed.Parameters, grads.Parameters, $"{scheme} {loss}");
        TestContext.WriteLine($"siamese {scheme} {loss}: cosines {cosError:E1}, loss {lossError:E1}, worst gradient {worst:E1}" + (silent.Count > 0 ? $", zero-by-symmetry: {string.Join(", ", silent)}" : ""));
        Assert.IsLessThan(1e-4, cosError);
        Assert.IsLessThan(1e-4, lossError, $"loss {torchLoss} vs {managedLoss}");
    }

    /// <summary>Two topics (ids 3..12 and 13..22): a pair is similar (1) when both sentences draw from the same topic, else 0.</summary>
    private static SentencePairs TopicPairs(Random rng, int count)
    {
        int[] Sentence(int topic) => [.. Enumerable.Range(0, rng.Next(3, 9)).Select(_ => 3 + (10 * topic) + rng.Next(10))];
        var first = new List<int[]>();
        var second = new List<int[]>();
        var labels = new List<float>();
        for (int i = 0; i < count; i++)
        {
            int a = rng.Next(2), b = i % 2 == 0 ? a : 1 - a;
            first.Add(Sentence(a));
            second.Add(Sentence(b));
            labels.Add(a == b ? 1f : 0f);
        }
        return new SentencePairs(first, second, labels);
    }

    [TestMethod]
    public void StreamedPairsTrainOnBothBackends_OnePassAndCeilNOverBatchStepsPerEpoch()
    {
        var rng = new Random(4);
        var train = TopicPairs(rng, 330);
        var test = TopicPairs(rng, 200);
        var options = new SiameseOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0.1f, MaxTokens = 8, Vocabulary = 24,
            PositionEncoding = MLComponents.PositionEncoding.Rotary(), Epochs = 4, BatchSize = 16, BucketBatches = 2, LearningRate = 3e-3,
            Seed = 2, Threads = 2, LabelMin = 0, LabelMax = 1,
        };
        foreach (var backend in new[] { TransformerBackend.Managed, TransformerBackend.TorchSharp })
        {
            var source = new MLComponents.UnitTests.Similarity.StreamedPairsTests.ArrayPairs(train, capacity: 64);
            var steps = new List<long>();
            var trained = EncoderTrainingBackends.Get(backend).FitSiamese(options, source,
                progress: new SyncProgress(p => { if (p.EpochEnd) steps.Add(p.Step); }));
            double spearman = SiameseTrainer.Evaluate(trained.Model, test).Spearman;
            TestContext.WriteLine($"{backend} streamed topic pairs: held-out Spearman {spearman:F4}");
            Assert.AreEqual(4, source.Passes, $"{backend}: one pass per epoch");
            CollectionAssert.AreEqual(new long[] { 21, 42, 63, 84 }, steps, $"{backend}: ceil(330 / 16) = 21 steps per epoch");
            Assert.IsGreaterThanOrEqualTo(0.8, spearman, $"{backend} streamed Spearman");
        }
    }

    private sealed class SyncProgress(Action<SimilarityTrainingProgress> report) : IProgress<SimilarityTrainingProgress>
    {
        public void Report(SimilarityTrainingProgress value) => report(value);
    }

    [TestMethod]
    public void TorchSharpTrainedSiameseScoresTheSameWithTheManagedEngine()
    {
        var rng = new Random(4);
        SentencePairs Make(int count) => TopicPairs(rng, count);
        var train = Make(320);
        var test = Make(200);
        var options = new SiameseOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0.1f, MaxTokens = 8, Vocabulary = 24,
            PositionEncoding = MLComponents.PositionEncoding.Rotary(), Epochs = 4, BatchSize = 16, LearningRate = 3e-3, Seed = 2, Threads = 2,
        };
        var results = new Dictionary<TransformerBackend, double>();
        foreach (var backend in new[] { TransformerBackend.Managed, TransformerBackend.TorchSharp })
        {
            var trained = EncoderTrainingBackends.Get(backend).FitSiamese(options, train);
            results[backend] = SiameseTrainer.Evaluate(trained.Model, test).Spearman;
            if (backend == TransformerBackend.TorchSharp)
            {
                var managedScores = new float[test.Count];
                trained.Model.Predict(test.First, test.Second, managedScores);
                using var model = new TorchSiameseModel(trained.Model);
                var torchScores = TorchSiameseTrainer.Predict(model, test.First, test.Second);
                double diff = managedScores.Zip(torchScores, (x, y) => Math.Abs(x - y)).Max();
                TestContext.WriteLine($"torch-trained siamese: max |score_torch - score_managed| = {diff:E2}");
                Assert.IsLessThanOrEqualTo(1e-5, diff);
                Assert.AreEqual(TorchSiameseTrainer.Evaluate(model, test).Spearman, results[backend], 1e-6, "the TorchSharp evaluation agrees");
            }
        }
        TestContext.WriteLine($"topic pairs, held-out Spearman: managed {results[TransformerBackend.Managed]:F4}, TorchSharp {results[TransformerBackend.TorchSharp]:F4}");
        Assert.IsGreaterThanOrEqualTo(0.8, results[TransformerBackend.Managed]);
        Assert.IsGreaterThanOrEqualTo(0.8, results[TransformerBackend.TorchSharp]);
    }
}
