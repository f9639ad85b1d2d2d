using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

[TestClass]
public sealed class ModelGradientTests
{
    [TestMethod]
    [DataRow("none")]
    [DataRow("sinusoidal")]
    [DataRow("sinusoidal-concat")]
    [DataRow("learned")]
    [DataRow("scaled")]
    [DataRow("scaled-embedding")]
    [DataRow("shaw")]
    [DataRow("t5")]
    [DataRow("rope")]
    [DataRow("rope-dynamic-yarn")]
    [DataRow("xpos")]
    [DataRow("alibi")]
    [DataRow("fire")]
    public void WholeTwoLayerModelGradientsMatchFiniteDifferences(string scheme)
    {
        var config = new TransformerConfig { Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 2, FeedForwardDimension = 12, MaxTokens = 6, Dropout = 0.2f };
        var model = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 5);
        EngineTestKit.Randomise(model, 17);
        int[] ids = [1, 4, 9, 2, 7, 3, 5, 5, 10, 0, 0, 0, 8, 0, 0, 0, 0, 0];
        int[] lengths = [6, 3, 1];
        int[] labels = [2, 0, 1];
        float[] weights = [1f, 2f, 0.5f];
        // Training mode with dropout: the masks depend on (seed, step) only, so the loss is a fixed smooth function.
        double Loss()
        {
            model.Forward(ids, lengths, 3, 6, training: true, step: 3);
            return model.Loss(labels, weights, 0.1f);
        }
        model.ZeroGrad();
        Loss();
        model.Backward();
        var grads = model.Parameters.ToDictionary(p => p.Name, p => (float[])p.Grad.Clone());
        var silent = new List<string>();
        foreach (var p in model.Parameters)
        {
            // Some scheme parameters legitimately get ~0 gradient here (FIRE's output bias shifts every logit of a row,
            // which softmax ignores; its threshold saturates below 8 tokens), so signal is required of engine tensors.
            double signal = GradientCheck.Check($"{scheme}:{p.Name}", p.Value, grads[p.Name], Loss, eps: 1e-2f, absTol: 5e-4, relTol: 2e-2,
                maxChecks: 40, requireSignal: false);
            if (signal < 1e-3)
            {
                silent.Add(p.Name);
            }
        }
        Assert.IsFalse(silent.Any(n => !n.StartsWith("position.", StringComparison.Ordinal)), $"engine tensors with ~0 gradient: {string.Join(", ", silent)}");
    }
}
