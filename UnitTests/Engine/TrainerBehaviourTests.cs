using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

[TestClass]
public sealed class TrainerBehaviourTests
{
    private static SequenceClassifierOptions Tiny(int epochs, int patience) => new()
    {
        Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0f, MaxTokens = 16,
        Vocabulary = OrderTask.Vocabulary, PositionEncoding = EngineTestKit.Scheme("rope"), Epochs = epochs, BatchSize = 32,
        LearningRate = 3e-3, Seed = 2, Threads = 1, EarlyStoppingPatience = patience,
    };

    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public void Report(TrainingProgress value) => Reports.Add(value);
    }

    [TestMethod]
    public void ValidationKeepsTheBestEpochsWeights()
    {
        var (train, labels) = OrderTask.Make(400, seed: 5);
        var (valid, validLabels) = OrderTask.Make(200, seed: 6);
        var recorder = new Recorder();
        var model = new SequenceClassifierTrainer(Tiny(epochs: 4, patience: 0)).Fit(train, labels, valid, validLabels, recorder);
        var ends = recorder.Reports.Where(r => r.EpochEnd).ToList();
        Assert.HasCount(4, ends);
        Assert.IsTrue(ends.All(r => r.ValidationAccuracy is not null && r.ValidationLogLoss is not null && r.TokensPerSecond > 0));
        // The kept epoch: the last whose validation accuracy is within one standard error of the best so far.
        var best = ends[MLComponents.UnitTests.Trainer.TrainerTestKit.KeptEpochIndex([.. ends.Select(r => r.ValidationAccuracy!.Value)], valid.Length)];
        var (accuracy, logLoss) = SequenceClassifierTrainer.Evaluate(model, valid, validLabels);
        Assert.AreEqual(best.ValidationAccuracy!.Value, accuracy, 1e-12);
        Assert.AreEqual(best.ValidationLogLoss!.Value, logLoss, 1e-9);
        // Steps: 400 examples in batches of 32 is 13 per epoch, none dropped.
        Assert.AreEqual(13L * 4, ends[^1].Step);
    }

    [TestMethod]
    public void EarlyStoppingEndsAfterPatienceEpochsWithoutImprovement()
    {
        var (train, labels) = OrderTask.Make(200, seed: 5);
        // Validation labels are noise, so the score stops improving quickly.
        var (valid, _) = OrderTask.Make(100, seed: 6);
        var noise = new Random(3);
        int[] validLabels = [.. valid.Select(_ => noise.Next(2))];
        var recorder = new Recorder();
        new SequenceClassifierTrainer(Tiny(epochs: 30, patience: 1)).Fit(train, labels, valid, validLabels, recorder);
        var ends = recorder.Reports.Where(r => r.EpochEnd).ToList();
        Assert.IsLessThan(30, ends.Count, "training should have stopped early");
        // Stopped at the first epoch that failed to improve on the best so far.
        var last = ends[^1];
        var before = ends.Take(ends.Count - 1).ToList();
        double bestAcc = before.Max(r => r.ValidationAccuracy!.Value);
        Assert.IsLessThanOrEqualTo(bestAcc, last.ValidationAccuracy!.Value);
    }

    [TestMethod]
    public void BadInputNamesTheRowAndCancellationStopsTraining()
    {
        var trainer = new SequenceClassifierTrainer(Tiny(epochs: 1, patience: 0));
        var e = Assert.ThrowsExactly<ArgumentException>(() => trainer.Fit([[3, 4], new int[17]], [0, 1]));
        StringAssert.Contains(e.Message, "row 1");
        e = Assert.ThrowsExactly<ArgumentException>(() => trainer.Fit([[3, 4], [3, 99]], [0, 1]));
        StringAssert.Contains(e.Message, "row 1");
        StringAssert.Contains(e.Message, "99");
        e = Assert.ThrowsExactly<ArgumentException>(() => new SequenceClassifierTrainer(Tiny(1, 0) with { Classes = 2 }).Fit([[3, 4], [3, 5]], [0, 2]));
        StringAssert.Contains(e.Message, "label at row 1");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var (train, labels) = OrderTask.Make(64, seed: 5);
        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Fit(train, labels, cancellationToken: cts.Token));
    }

    [TestMethod]
    public void LengthBucketingUsesEveryExampleOnceWithLittlePadding()
    {
        var (seqs, _) = OrderTask.Make(1000, seed: 9, minLength: 2, maxLength: 16);
        var order = new int[seqs.Length];
        var offsets = LengthBuckets.Plan(seqs, order, 32, 10, new Random(1));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, seqs.Length).ToArray(), order);
        Assert.AreEqual(seqs.Length, offsets[^1]);
        long real = 0, padded = 0;
        for (int b = 0; b + 1 < offsets.Length; b++)
        {
            int max = 0;
            for (int i = offsets[b]; i < offsets[b + 1]; i++)
            {
                real += seqs[order[i]].Length;
                max = Math.Max(max, seqs[order[i]].Length);
            }
            padded += (long)max * (offsets[b + 1] - offsets[b]);
        }
        // Lengths are uniform on 2..16: unsorted batches would pad to ~16 (about 1.8x the real tokens).
        Assert.IsLessThan(1.15, (double)padded / real);
    }

    [TestMethod]
    public void ScheduleWarmsUpLinearlyThenDecaysToZero()
    {
        var cosine = new LearningRateSchedule(1.0, 4, 14, LearningRateDecay.Cosine);
        Assert.AreEqual(0.25, cosine.Rate(0), 1e-12);
        Assert.AreEqual(1.0, cosine.Rate(3), 1e-12);
        Assert.AreEqual(1.0, cosine.Rate(4), 1e-12);
        Assert.AreEqual(0.5, cosine.Rate(9), 1e-12);
        Assert.AreEqual(0.0, cosine.Rate(14), 1e-12);
        var linear = cosine with { Decay = LearningRateDecay.Linear };
        Assert.AreEqual(0.7, linear.Rate(7), 1e-12);
    }
}
