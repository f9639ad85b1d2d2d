using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

/// <summary>
/// The scaled scheme's two forms on the order-only task, same small model and budget. The embedding form adds a different
/// vector at every position (p_i + PE(2i/N)) and learns the order at once. The bias form's d(i,j) is symmetric in i and
/// j; it is not direction-blind (a key k to the right of query i has d larger by 2k/N than the key k to its left), but
/// that 1/N-sized signal is slow to learn: in this budget it is still at chance. Measured with these settings: embedding
/// 0.990, bias 0.513 after 4 epochs; given more training the bias form does get there (8 epochs: 0.998 / 0.810,
/// 16 epochs: 1.000 / 1.000), so the test pins the budget rather than claiming the bias form cannot learn order.
/// </summary>
[TestClass]
public sealed class ScaledFormsOrderTests
{
    private static double Accuracy(string scheme)
    {
        var options = new SequenceClassifierOptions
        {
            Layers = 2, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0f, MaxTokens = 16,
            Vocabulary = OrderTask.Vocabulary, Classes = 2, PositionEncoding = EngineTestKit.Scheme(scheme),
            Epochs = 4, BatchSize = 32, LearningRate = 3e-3, WeightDecay = 0.01f, WarmupFraction = 0.05, ClipNorm = 1.0,
            Seed = 3, Threads = 1, EarlyStoppingPatience = 0,
        };
        var (train, trainLabels) = OrderTask.Make(1500, seed: 11);
        var (test, testLabels) = OrderTask.Make(600, seed: 12);
        var model = new SequenceClassifierTrainer(options).Fit(train, trainLabels);
        var (accuracy, _) = SequenceClassifierTrainer.Evaluate(model, test, testLabels);
        Console.WriteLine($"{scheme}: order-task test accuracy {accuracy:0.000}");
        return accuracy;
    }

    [TestMethod]
    public void EmbeddingFormLearnsTheOrderTaskInFourEpochs_WhereTheBiasFormIsStillAtChance()
    {
        double embedding = Accuracy("scaled-embedding"), bias = Accuracy("scaled");
        Assert.IsGreaterThanOrEqualTo(0.95, embedding, "embedding form");
        Assert.IsLessThan(0.6, bias, "bias form");
        Assert.IsGreaterThan(0.4, bias, "bias form");
    }
}
