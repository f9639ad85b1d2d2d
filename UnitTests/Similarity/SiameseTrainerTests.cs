using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.UnitTests.Engine;

namespace MLComponents.UnitTests.Similarity;

[TestClass]
public sealed class SiameseTrainerTests
{
    internal static SiameseOptions Small(string scheme, int epochs = 20, SimilarityLoss loss = SimilarityLoss.MeanSquaredError) => new()
    {
        Layers = 2, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f, MaxTokens = 16,
        Vocabulary = RolePairsTask.Vocabulary, PositionEncoding = EngineTestKit.Scheme(scheme), Loss = loss,
        LabelMin = 0, LabelMax = 1, Epochs = epochs, BatchSize = 16, LearningRate = 5e-3, WarmupFraction = 0.05,
        Seed = 3, Threads = 1, EarlyStoppingPatience = 0,
    };

    [TestMethod]
    [DataRow(SimilarityLoss.MeanSquaredError)]
    [DataRow(SimilarityLoss.CoSent)]
    public void RopeRanksHeldOutOrderSensitivePairs(SimilarityLoss loss)
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(1200, seed: 1));
        var test = RolePairsTask.ToPairs(RolePairsTask.Make(400, seed: 2));
        var model = new SiameseTrainer(Small("rope", loss: loss)).Fit(train);
        var (pearson, spearman) = SiameseTrainer.Evaluate(model, test);
        Console.WriteLine($"rope {loss}: pearson={pearson:F4} spearman={spearman:F4}");
        Assert.IsGreaterThanOrEqualTo(0.9, spearman, "held-out Spearman");
    }

    [TestMethod]
    public void WithoutPositionsSwappedPairsAreIdentical()
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(800, seed: 1));
        var raw = RolePairsTask.Make(400, seed: 2);
        var test = RolePairsTask.ToPairs(raw);
        var model = new SiameseTrainer(Small("none", epochs: 3)).Fit(train);
        var scores = new float[test.Count];
        model.Predict(test.First, test.Second, scores);
        int swaps = 0;
        for (int i = 0; i < raw.Count; i++)
        {
            if (raw[i].Swap)
            {
                // Same words, so a permutation-invariant encoder gives the same embedding: cos 1, the top score.
                Assert.AreEqual(1f, scores[i], 1e-5f, $"swapped pair {i}");
                swaps++;
            }
        }
        Assert.AreEqual(100, swaps);
        var (_, spearman) = SiameseTrainer.Evaluate(model, test);
        Console.WriteLine($"none: spearman={spearman:F4}");
        Assert.IsLessThan(0.8, spearman, "a position-blind model cannot rank swapped pairs");
    }

    private sealed class SyncProgress(Action<SimilarityTrainingProgress> onReport) : IProgress<SimilarityTrainingProgress>
    {
        public void Report(SimilarityTrainingProgress value) => onReport(value);
    }

    [TestMethod]
    public void ValidationKeepsTheBestEpochAndReportsProgress()
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(200, seed: 1));
        var valid = RolePairsTask.ToPairs(RolePairsTask.Make(80, seed: 2));
        var reports = new List<SimilarityTrainingProgress>();
        var options = Small("rope", epochs: 5) with { ProgressInterval = 4, EarlyStoppingPatience = 2 };
        var trainer = new SiameseTrainer(options);
        var model = trainer.Fit(train, valid, new SyncProgress(reports.Add));
        var ends = reports.Where(r => r.EpochEnd).ToList();
        Assert.AreEqual(trainer.EpochsTrained, ends.Count);
        Assert.IsTrue(reports.Any(r => !r.EpochEnd), "mid-epoch reports");
        Assert.IsTrue(ends.All(r => r.ValidationSpearman is not null && double.IsFinite(r.Loss)));
        // The returned weights are the best epoch's: re-evaluating gives that epoch's reported Spearman.
        double best = ends.Max(r => r.ValidationSpearman!.Value);
        Assert.AreEqual(best, ends[trainer.BestEpoch - 1].ValidationSpearman!.Value, 1e-12);
        Assert.AreEqual(best, SiameseTrainer.Evaluate(model, valid).Spearman, 1e-9);
    }

    [TestMethod]
    public void CancellationStopsBetweenSteps()
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(200, seed: 1));
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var options = Small("rope", epochs: 5) with { ProgressInterval = 2 };
        Assert.ThrowsExactly<OperationCanceledException>(() => new SiameseTrainer(options).Fit(train, null, new SyncProgress(_ =>
        {
            reports++;
            cts.Cancel();
        }), cts.Token));
        Assert.AreEqual(1, reports, "no step ran after the cancellation");
    }

    [TestMethod]
    public void BadPairsAndOptionsNameTheirFault()
    {
        var ok = RolePairsTask.ToPairs(RolePairsTask.Make(8, seed: 1));
        var empty = ok with { Second = [.. ok.Second.Select((s, i) => i == 3 ? [] : s)] };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SiameseTrainer(Small("rope")).Fit(empty)).Message, "row 3: the second sentence");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SiameseTrainer(Small("rope") with { CoSentScale = 0 }).Fit(ok)).Message, "CoSentScale");
        var flat = ok with { Labels = [.. ok.Labels.Select(_ => 1f)] };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SiameseTrainer(Small("rope") with { LabelMin = null, LabelMax = null }).Fit(flat)).Message, "label range");
    }
}
