using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.UnitTests.Engine;

namespace MLComponents.UnitTests.Similarity;

[TestClass]
public sealed class SiameseTrainerTests
{
    internal static SiameseOptions Small(string scheme, int epochs = 8, SimilarityLoss loss = SimilarityLoss.MeanSquaredError) => new()
    {
        Layers = 2, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f, MaxTokens = 16,
        Vocabulary = RolePairsTask.Vocabulary, PositionEncoding = EngineTestKit.Scheme(scheme), Loss = loss,
        LabelMin = 0, LabelMax = 1, Epochs = epochs, BatchSize = 32, LearningRate = 5e-3, WarmupFraction = 0.05,
        Seed = 3, Threads = 1, EarlyStoppingPatience = 0,
    };

    [TestMethod]
    [DataRow(SimilarityLoss.MeanSquaredError)]
    [DataRow(SimilarityLoss.CoSent)]
    public void RopeRanksHeldOutOrderSensitivePairs(SimilarityLoss loss)
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(1200, seed: 1));
        var test = RolePairsTask.ToPairs(RolePairsTask.Make(400, seed: 2));
        int ep = int.Parse(Environment.GetEnvironmentVariable("SIM_EPOCHS") ?? "8");
        double lr = double.Parse(Environment.GetEnvironmentVariable("SIM_LR") ?? "5e-3");
        int dim = int.Parse(Environment.GetEnvironmentVariable("SIM_D") ?? "32");
        var opts = Small("rope", epochs: ep, loss: loss) with { LearningRate = lr, ModelDimension = dim, FeedForwardDimension = 2 * dim, BatchSize = int.Parse(Environment.GetEnvironmentVariable("SIM_B") ?? "32") };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var model = new SiameseTrainer(opts).Fit(train, progress: new Progress<SimilarityTrainingProgress>(p => { if (p.EpochEnd) Console.WriteLine($"ep {p.Epoch} loss {p.Loss:F4}"); }));
        var (pearson, spearman) = SiameseTrainer.Evaluate(model, test);
        var (tp, ts) = SiameseTrainer.Evaluate(model, train);
        Console.WriteLine($"rope {loss}: pearson={pearson:F4} spearman={spearman:F4} train={ts:F4} {sw.Elapsed.TotalSeconds:F1}s");
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
}
