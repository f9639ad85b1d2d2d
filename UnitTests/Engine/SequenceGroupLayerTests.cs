using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

/// <summary>
/// Without dropout, layers run a group of sequences at a time (<see cref="SequenceGroupLayer"/>) for schemes whose attention
/// runs unit by unit. That must change no bit against the passes over the whole batch: the training forward's loss and
/// every gradient, and the inference forward.
/// </summary>
[TestClass]
public sealed class SequenceGroupLayerTests
{
    [TestMethod]
    [DataRow("rope", 1)]
    [DataRow("rope", 2)]
    [DataRow("rope-dynamic-yarn", 2)]
    [DataRow("none", 2)]
    [DataRow("learned", 1)]
    public void GroupsGiveTheBitsOfWholeBatchPasses(string scheme, int threads)
    {
        var config = new TransformerConfig { Vocabulary = 50, ModelDimension = 32, Heads = 4, Layers = 2, FeedForwardDimension = 64, MaxTokens = 40 };
        var rng = new Random(6);
        int batch = 7, length = 37; // 259 rows: groups of three sequences, then a group of one; padded rows
        int[] ids = [.. Enumerable.Range(0, batch * length).Select(_ => rng.Next(50))];
        int[] lengths = [37, 20, 5, 37, 1, 30, 11];
        int[] labels = [0, 1, 2, 1, 0, 2, 2];

        (float[] Probabilities, double Loss, float[] Gradients, float[] Inferred) Run(bool layerByLayer)
        {
            var model = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 3) { Threads = threads };
            model.Encoder.ForceLayerByLayer = layerByLayer;
            EngineTestKit.Randomise(model, 8);
            model.ZeroGrad();
            var probabilities = model.Forward(ids, lengths, batch, length, training: true).ToArray();
            double loss = model.Loss(labels);
            model.Backward();
            float[] gradients = [.. model.Parameters.SelectMany(p => p.Grad)];
            return (probabilities, loss, gradients, model.Infer(ids, lengths, batch, length).ToArray());
        }

        var whole = Run(layerByLayer: true);
        var grouped = Run(layerByLayer: false);
        CollectionAssert.AreEqual(whole.Probabilities, grouped.Probabilities, "training forward");
        Assert.AreEqual(whole.Loss, grouped.Loss, "loss");
        Assert.IsTrue(whole.Gradients.Any(g => g != 0f), "the step has gradients");
        CollectionAssert.AreEqual(whole.Gradients, grouped.Gradients, "gradients");
        CollectionAssert.AreEqual(whole.Inferred, grouped.Inferred, "inference");
    }

    [TestMethod]
    public void GroupsHoldWholeSequences_AndShareTheWorkOut()
    {
        // Two sequences of 64 per group at the reference shapes (16 groups for B 32), at least two groups per thread.
        Assert.AreEqual(2, SequenceGroupLayer.SequencesPerGroup(32, 64, 2));
        Assert.AreEqual(1, SequenceGroupLayer.SequencesPerGroup(4, 64, 2));
        Assert.AreEqual(1, SequenceGroupLayer.SequencesPerGroup(32, 300, 1));
        Assert.AreEqual(8, SequenceGroupLayer.SequencesPerGroup(64, 16, 2));
    }
}
