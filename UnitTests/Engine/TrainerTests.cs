using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

[TestClass]
public sealed class TrainerTests
{
    private static SequenceClassifierOptions Small(string scheme, int epochs = 5) => new()
    {
        Layers = 2, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f, MaxTokens = 16,
        Vocabulary = OrderTask.Vocabulary, Classes = 2, PositionEncoding = EngineTestKit.Scheme(scheme),
        Epochs = epochs, BatchSize = 32, LearningRate = 3e-3, WeightDecay = 0.01f, WarmupFraction = 0.05, ClipNorm = 1.0,
        Seed = 3, Threads = 1, EarlyStoppingPatience = 0,
    };

    [TestMethod]
    [DataRow("rope")]
    [DataRow("sinusoidal")]
    [DataRow("learned")]
    public void PositionAwareSchemesLearnAnOrderOnlyTask(string scheme)
    {
        var (train, trainLabels) = OrderTask.Make(2000, seed: 1);
        var (test, testLabels) = OrderTask.Make(600, seed: 2);
        var model = new SequenceClassifierTrainer(Small(scheme)).Fit(train, trainLabels);
        var (accuracy, _) = SequenceClassifierTrainer.Evaluate(model, test, testLabels);
        Assert.IsGreaterThanOrEqualTo(0.98, accuracy, $"{scheme} test accuracy");
    }

    [TestMethod]
    public void WithoutPositionsTheOrderTaskStaysAtChance()
    {
        var (train, trainLabels) = OrderTask.Make(1000, seed: 1);
        var model = new SequenceClassifierTrainer(Small("none", epochs: 2)).Fit(train, trainLabels);
        // Each test sequence comes with its reversal, whose label is the opposite: a position-blind model gives both
        // the same probabilities, so it is right on exactly one of each pair.
        var (test, testLabels) = OrderTask.Make(300, seed: 2);
        var pairs = test.Concat(test.Select(s => s.Reverse().ToArray())).ToArray();
        var pairLabels = testLabels.Concat(testLabels.Select(l => 1 - l)).ToArray();
        var probs = new float[pairs.Length * 2];
        model.Predict(pairs, probs);
        for (int i = 0; i < test.Length; i++)
        {
            Assert.AreEqual(probs[2 * i], probs[2 * (i + test.Length)], 1e-5f, $"sequence {i} and its reversal");
        }
        var (accuracy, _) = SequenceClassifierTrainer.Evaluate(model, pairs, pairLabels);
        Assert.AreEqual(0.5, accuracy, 0.02, "a position-blind model cannot see order");
    }
}
