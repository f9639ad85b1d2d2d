using MLComponents.Engine;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.Engine;

/// <summary>
/// A model configured with dropout must evaluate exactly like the same weights without dropout, even right after
/// a training step (whose dropped attention probabilities live in a separate buffer).
/// </summary>
[TestClass]
public sealed class EvaluationAfterDropoutTests
{
    [TestMethod]
    [DataRow("none")]
    [DataRow("shaw")]
    public void EvalForward_AfterATrainingForward_IgnoresTheDropoutBuffers(string scheme)
    {
        PE encoding = scheme == "shaw" ? PE.ShawRelative(clip: 4) : PE.None();
        var config = new TransformerConfig { Vocabulary = 20, ModelDimension = 16, Heads = 2, Layers = 2, FeedForwardDimension = 32, MaxTokens = 8, Dropout = 0.3f };
        var withDropout = new SequenceClassifier(config, 3, encoding, seed: 5) { Threads = 1 };
        var without = new SequenceClassifier(config with { Dropout = 0f }, 3, encoding, seed: 5) { Threads = 1 };
        EngineTestKit.Randomise(withDropout, 9);
        EngineTestKit.Randomise(without, 9);

        int[] ids = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0];
        int[] lengths = [8, 7];
        withDropout.Forward(ids, lengths, 2, 8, training: true, step: 3);
        var expected = without.Forward(ids, lengths, 2, 8, training: false).ToArray();
        var actual = withDropout.Forward(ids, lengths, 2, 8, training: false).ToArray();
        CollectionAssert.AreEqual(expected, actual);

        var single = new float[3];
        withDropout.Predict(ids.AsSpan(0, 8), single);
        for (int c = 0; c < 3; c++)
        {
            Assert.AreEqual(expected[c], single[c], 1e-6f, $"class {c}");
        }
    }
}
