using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

/// <summary>
/// <see cref="TransformerEncoder.Infer"/> keeps nothing for a backward (every layer in the first layer's buffers, the
/// fused attention in per-thread scratch): it must give the bits of Forward(training: false), leave a later training
/// step exactly as it would have been, and refuse a backward of its own.
/// </summary>
[TestClass]
public sealed class InferenceForwardTests
{
    [TestMethod]
    [DataRow("rope", 1)]
    [DataRow("rope", 2)]
    [DataRow("none", 2)]
    [DataRow("xpos", 2)]
    [DataRow("t5", 1)]
    [DataRow("fire", 2)]
    public void Infer_GivesTheBitsOfAnEvaluationForward(string scheme, int threads)
    {
        // Three layers, so a layer reads an output that the same buffers held one layer earlier; padded rows too. 5 x 23 =
        // 115 rows: the feed-forward's row blocks (96) end in a part block whose last tile is not a whole 6 rows.
        var config = new TransformerConfig { Vocabulary = 40, ModelDimension = 32, Heads = 4, Layers = 3, FeedForwardDimension = 64, MaxTokens = 24 };
        var model = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 2) { Threads = threads };
        EngineTestKit.Randomise(model, 3);
        var rng = new Random(4);
        int batch = 5, length = 23;
        int[] ids = [.. Enumerable.Range(0, batch * length).Select(_ => rng.Next(40))];
        int[] lengths = [23, 7, 19, 1, 12];

        var expected = model.Forward(ids, lengths, batch, length, training: false).ToArray();
        var hidden = model.Encoder.Output.AsSpan(0, batch * length * 32).ToArray();
        var actual = model.Infer(ids, lengths, batch, length).ToArray();
        CollectionAssert.AreEqual(expected, actual, "probabilities");
        CollectionAssert.AreEqual(hidden, model.Encoder.Output.AsSpan(0, batch * length * 32).ToArray(), "hidden states");

        // The batch Predict runs Infer too: the same probabilities, sequence by sequence.
        var sequences = Enumerable.Range(0, batch).Select(b => ids.AsSpan(b * length, lengths[b]).ToArray()).ToList();
        var one = new float[3];
        for (int b = 0; b < batch; b++)
        {
            model.Predict(sequences[b], one);
            var alone = model.Forward(sequences[b], [lengths[b]], 1, lengths[b], training: false).ToArray();
            CollectionAssert.AreEqual(alone, one, $"sequence {b}");
        }
    }

    [TestMethod]
    public void Backward_AfterInfer_IsRefused_AndATrainingStepIsUnchangedByIt()
    {
        var config = new TransformerConfig { Vocabulary = 30, ModelDimension = 16, Heads = 2, Layers = 2, FeedForwardDimension = 32, MaxTokens = 10 };
        int[] ids = [.. Enumerable.Range(0, 20).Select(i => (i * 7) % 30)];
        int[] lengths = [10, 6];
        int[] labels = [0, 2];

        float[] Gradients(bool inferFirst)
        {
            var model = new SequenceClassifier(config, 3, EngineTestKit.Scheme("rope"), seed: 1) { Threads = 1 };
            EngineTestKit.Randomise(model, 2);
            if (inferFirst)
            {
                model.Infer(ids, lengths, 2, 10);
                model.Loss(labels);
                var refused = Assert.ThrowsExactly<InvalidOperationException>(model.Backward);
                StringAssert.Contains(refused.Message, "Infer");
            }

            model.ZeroGrad();
            model.Forward(ids, lengths, 2, 10, training: true);
            model.Loss(labels);
            model.Backward();
            return [.. model.Parameters.SelectMany(p => p.Grad)];
        }

        var plain = Gradients(inferFirst: false);
        Assert.IsTrue(plain.Any(g => g != 0f), "the step has gradients");
        CollectionAssert.AreEqual(plain, Gradients(inferFirst: true));
    }
}
