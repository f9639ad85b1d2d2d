using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.TorchSharp;
using MLComponents.UnitTests.Engine;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// The trainers' entry point: <see cref="EncoderTrainingBackends.Get(TransformerBackend, string?)"/> finds the TorchSharp
/// assembly by name, resolves devices, and fails with errors that name the missing assembly or the absent device; both
/// backends train through the same interface with the same epoch bookkeeping.
/// </summary>
[TestClass]
[DoNotParallelize] // TorchSharp 0.107 can free an implicit Scalar mid-call when another thread's allocation triggers a GC (Trainers/TorchSharp/README.md)
public sealed class BackendEntryPointTests
{
    [TestMethod]
    public void TorchSharpBackendIsFoundByNameAndResolvesTheCpu()
    {
        var backend = EncoderTrainingBackends.Get(TransformerBackend.TorchSharp, "CPU");
        Assert.IsInstanceOfType<TorchSharpTrainingBackend>(backend);
        Assert.AreEqual(TransformerBackend.TorchSharp, backend.Backend);
        Assert.AreEqual("cpu", backend.Device);
        Assert.AreEqual("cpu", EncoderTrainingBackends.Get(TransformerBackend.Managed).Device);
    }

    [TestMethod]
    [DataRow("cuda")]
    [DataRow("cuda:1")]
    public void AskingForCudaWithoutItNamesTheDevice(string device)
    {
        // This machine has no GPU and the tests reference the CPU build of libtorch.
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => EncoderTrainingBackends.Get(TransformerBackend.TorchSharp, device));
        StringAssert.Contains(e.Message, $"'{device}'");
        StringAssert.Contains(e.Message, "CUDA is not available");
    }

    [TestMethod]
    [DataRow("gpu")]
    [DataRow("cuda:x")]
    [DataRow("cuda:-1")]
    public void MalformedDevicesAreRejectedByName(string device)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => EncoderTrainingBackends.Get(TransformerBackend.TorchSharp, device));
        StringAssert.Contains(e.Message, $"'{device}'");
    }

    /// <summary>
    /// Every geometry option reaches the model each backend trains and returns, the length-generalisation ones included
    /// (the TorchSharp trainers once built their models without them, so LogLengthScale was silently off there).
    /// </summary>
    [TestMethod]
    [DataRow(TransformerBackend.Managed)]
    [DataRow(TransformerBackend.TorchSharp)]
    public void EveryGeometryOptionReachesTheTrainedModel(TransformerBackend which)
    {
        var backend = EncoderTrainingBackends.Get(which, "cpu");
        var fire = MLComponents.PositionEncoding.Fire();
        var options = new SequenceClassifierOptions
        {
            ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 24, MaxTokens = 20, Dropout = 0.05f,
            RandomizedPositions = 64, LogLengthScale = 4, LogLengthScaleBiases = true, PositionEncoding = fire, Epochs = 1, Seed = 3,
        };
        var classifier = backend.FitClassifier(options, [[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], [0, 1]).Model.Encoder.Config;
        var expected = new TransformerConfig
        {
            Vocabulary = 6, ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 24, MaxTokens = 20, Dropout = 0.05f,
            RandomizedPositions = 64, LogLengthScale = 4, LogLengthScaleBiases = true,
        };
        Assert.AreEqual(expected, classifier, $"{which} classifier");
        var siameseOptions = new SiameseOptions
        {
            ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 24, MaxTokens = 20, Dropout = 0.05f,
            RandomizedPositions = 64, LogLengthScale = 4, LogLengthScaleBiases = true, PositionEncoding = fire, Epochs = 1, Seed = 3,
        };
        var siamese = backend.FitSiamese(siameseOptions, new SentencePairs([[1, 2, 3], [4, 5]], [[3, 2, 1], [5, 4]], [0.5f, 0.9f])).Model.Encoder.Config;
        Assert.AreEqual(expected, siamese, $"{which} siamese");
    }

    [TestMethod]
    public void TheSparseEmbeddingUpdateIsRefusedByName()
    {
        var backend = EncoderTrainingBackends.Get(TransformerBackend.TorchSharp, "cpu");
        var e = Assert.ThrowsExactly<ArgumentException>(() => backend.FitClassifier(new SequenceClassifierOptions { SparseEmbeddingUpdate = true, Epochs = 1 }, [[1, 2, 3], [3, 2, 1]], [0, 1]));
        StringAssert.Contains(e.Message, "'SparseEmbeddingUpdate'");
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => backend.FitSiamese(new SiameseOptions { SparseEmbeddingUpdate = true }, new SentencePairs([[1, 2]], [[2, 1]], [0.5f])));
        StringAssert.Contains(e2.Message, "'SparseEmbeddingUpdate'");
    }

    [TestMethod]
    public void TheManagedBackendRefusesAGpu()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => EncoderTrainingBackends.Get(TransformerBackend.Managed, "cuda"));
        StringAssert.Contains(e.Message, "'cuda'");
    }

    [TestMethod]
    public void AMissingBackendAssemblyIsNamed()
    {
        const string Missing = "MLComponents.Trainers.TorchSharp.NotReferenced";
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => EncoderTrainingBackends.Get(TransformerBackend.TorchSharp, "cpu", Missing));
        StringAssert.Contains(e.Message, $"'{Missing}'");
        Assert.IsInstanceOfType<FileNotFoundException>(e.InnerException);
    }

    [TestMethod]
    public void BothBackendsKeepTheSameEpochBookkeepingWithEarlyStopping()
    {
        var (train, labels) = OrderTask.Make(256, seed: 1);
        var (valid, validLabels) = OrderTask.Make(128, seed: 2);
        validLabels = [.. validLabels.Select(l => 1 - l)]; // the opposite rule: the better the model learns, the worse it validates
        var options = new SequenceClassifierOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0f, MaxTokens = 16,
            Vocabulary = OrderTask.Vocabulary, Classes = 2, PositionEncoding = MLComponents.PositionEncoding.Rotary(),
            Epochs = 6, BatchSize = 32, LearningRate = 3e-3, Seed = 2, Threads = 2, EarlyStoppingPatience = 1,
        };
        var reports = new Dictionary<TransformerBackend, List<TrainingProgress>>();
        var results = new Dictionary<TransformerBackend, TrainedEncoder<SequenceClassifier>>();
        foreach (var backend in new[] { TransformerBackend.Managed, TransformerBackend.TorchSharp })
        {
            var list = reports[backend] = [];
            results[backend] = EncoderTrainingBackends.Get(backend).FitClassifier(options, train, labels, valid, validLabels,
                new CrossBackendTests.SynchronousProgress<TrainingProgress>(list.Add));
        }
        var m = results[TransformerBackend.Managed];
        var t = results[TransformerBackend.TorchSharp];
        // Validation falls more than one standard error below its best as the model learns the training rule, so patience 1
        // stops both runs early, alike.
        Assert.IsLessThan(6, m.EpochsTrained, "early stopping ran");
        Assert.AreEqual(m.EpochsTrained, t.EpochsTrained, "epochs trained");
        Assert.AreEqual(m.BestEpoch, t.BestEpoch, "best epoch");
        var me = reports[TransformerBackend.Managed].Where(p => p.EpochEnd).ToArray();
        var te = reports[TransformerBackend.TorchSharp].Where(p => p.EpochEnd).ToArray();
        Assert.HasCount(me.Length, te);
        for (int i = 0; i < me.Length; i++)
        {
            Assert.AreEqual(me[i].Step, te[i].Step, "steps per epoch");
            Assert.AreEqual(me[i].ValidationAccuracy!.Value, te[i].ValidationAccuracy!.Value, 1.0 / 128 + 1e-9, $"epoch {i + 1} validation accuracy");
        }
        Assert.AreEqual(reports[TransformerBackend.Managed].Count, reports[TransformerBackend.TorchSharp].Count, "progress reports");
    }

    [TestMethod]
    public void TorchSharpTrainingReportsProgressAndStopsOnCancellationBetweenSteps()
    {
        var (train, labels) = OrderTask.Make(320, seed: 1);
        var options = new SequenceClassifierOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 16, Vocabulary = OrderTask.Vocabulary,
            Classes = 2, Epochs = 3, BatchSize = 32, Seed = 1, Threads = 1, ProgressInterval = 4,
        };
        using var cancel = new CancellationTokenSource();
        var seen = new List<TrainingProgress>();
        var progress = new CrossBackendTests.SynchronousProgress<TrainingProgress>(p =>
        {
            seen.Add(p);
            if (p.Epoch == 2 && !p.EpochEnd)
            {
                cancel.Cancel();
            }
        });
        var backend = EncoderTrainingBackends.Get(TransformerBackend.TorchSharp);
        Assert.ThrowsExactly<OperationCanceledException>(() => backend.FitClassifier(options, train, labels, progress: progress, cancellationToken: cancel.Token));
        // Epoch 1: reports at steps 4 and 8 and its end (step 10); epoch 2: step 12, then the cancellation before step 13.
        CollectionAssert.AreEqual(new long[] { 4, 8, 10, 12 }, seen.Select(p => p.Step).ToArray());
        Assert.IsTrue(seen.All(p => double.IsFinite(p.Loss) && p.TokensPerSecond > 0));
        Assert.IsTrue(seen[2].EpochEnd && seen[2].ValidationAccuracy is null);
    }
}
