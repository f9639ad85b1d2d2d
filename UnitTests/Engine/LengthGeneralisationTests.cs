using Microsoft.ML;
using MLComponents.Engine;
using MLComponents.Numerics;
using MLComponents.Trainers;
using MLComponents.UnitTests.Trainer;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.Engine;

/// <summary>Randomized positions and log-length attention scaling (the length-generalisation options).</summary>
[TestClass]
public sealed class LengthGeneralisationTests
{
    [TestMethod]
    public void SampledPositions_AreSortedDistinctInRange_AndRepeatableForASeed()
    {
        var marks = new bool[40];
        foreach (int n in new[] { 1, 5, 20, 40 })
        {
            for (int seed = 0; seed < 20; seed++)
            {
                var a = new int[n];
                var b = new int[n];
                TransformerEncoder.SampleSortedPositions(a, 40, TransformerEncoder.PositionStream(seed, 3, 1), marks);
                TransformerEncoder.SampleSortedPositions(b, 40, TransformerEncoder.PositionStream(seed, 3, 1), marks);
                CollectionAssert.AreEqual(a, b, "the same stream gives the same sample");
                Assert.IsTrue(a.All(p => p >= 0 && p < 40), $"in range: {string.Join(",", a)}");
                for (int i = 1; i < n; i++)
                {
                    Assert.IsLessThan(a[i], a[i - 1], $"strictly increasing (sorted, distinct): {string.Join(",", a)}");
                }
                Assert.IsFalse(marks.Any(m => m), "the marks are left clear");
            }
        }

        // Different steps draw different samples; a sequence longer than the range keeps 0..n-1.
        var s1 = new int[6];
        var s2 = new int[6];
        TransformerEncoder.SampleSortedPositions(s1, 40, TransformerEncoder.PositionStream(1, 1, 0), marks);
        TransformerEncoder.SampleSortedPositions(s2, 40, TransformerEncoder.PositionStream(1, 2, 0), marks);
        CollectionAssert.AreNotEqual(s1, s2);
        var longer = new int[50];
        TransformerEncoder.SampleSortedPositions(longer, 40, 7, marks);
        CollectionAssert.AreEqual(Enumerable.Range(0, 50).ToArray(), longer);
    }

    [TestMethod]
    public void Encoder_SamplesPositionsInTraining_AndUsesZeroToNAtInference()
    {
        var config = new TransformerConfig { Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, MaxTokens = 6, RandomizedPositions = 64 };
        var encoder = new TransformerEncoder(config, PE.Rotary(), seed: 3);
        int[] ids = [1, 4, 9, 2, 7, 3, 5, 5, 10, 0, 0, 0];
        int[] lengths = [6, 3];
        encoder.Forward(ids, lengths, 2, 6, training: true, step: 4);
        var first = encoder.Positions.ToArray();
        Assert.HasCount(12, first);
        for (int b = 0; b < 2; b++)
        {
            var row = first.AsSpan(b * 6, lengths[b]).ToArray();
            Assert.IsTrue(row.All(p => p is >= 0 and < 64));
            for (int i = 1; i < row.Length; i++) Assert.IsLessThan(row[i], row[i - 1]);
        }
        encoder.Forward(ids, lengths, 2, 6, training: true, step: 4);
        CollectionAssert.AreEqual(first, encoder.Positions.ToArray(), "same seed and step: same positions");

        // Inference: no explicit positions (0..n-1), so the output equals a model trained without the option.
        encoder.Forward(ids, lengths, 2, 6, training: false);
        Assert.IsTrue(encoder.Positions.IsEmpty);
        var withOption = encoder.Output.AsSpan(0, 2 * 6 * 8).ToArray();
        var plain = new TransformerEncoder(config with { RandomizedPositions = 0 }, PE.Rotary(), seed: 3);
        plain.Forward(ids, lengths, 2, 6, training: false);
        CollectionAssert.AreEqual(plain.Output.AsSpan(0, 2 * 6 * 8).ToArray(), withOption);
    }

    [TestMethod]
    public void RandomizedPositions_RefusesSchemesThatIndexByTokenNumber()
    {
        var config = new TransformerConfig { Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, MaxTokens = 6, RandomizedPositions = 64 };
        var e = Assert.Throws<ArgumentException>(() => new TransformerEncoder(config, PE.T5Bias(), seed: 1));
        StringAssert.Contains(e.Message, "RandomizedPositions");
        StringAssert.Contains(e.Message, "t5");
        Assert.Throws<ArgumentException>(() => new TransformerEncoder(config with { RandomizedPositions = -1 }, PE.Rotary(), 1));
        Assert.Throws<ArgumentException>(() => new TransformerEncoder(config with { LogLengthScale = 1 }, PE.Rotary(), 1));
    }

    [TestMethod]
    public void LogLengthFactor_MatchesHandWorkedValues()
    {
        // ln 128 / ln 32 = 7 ln 2 / 5 ln 2 = 1.4; at or below n0 the factor is 1; 0 is off.
        Assert.AreEqual(1.4f, PositionBatch.LogLengthFactorOf(128, 32), 1e-6f);
        Assert.AreEqual(2f, PositionBatch.LogLengthFactorOf(1024, 32), 1e-6f);
        Assert.AreEqual(1f, PositionBatch.LogLengthFactorOf(32, 32));
        Assert.AreEqual(1f, PositionBatch.LogLengthFactorOf(5, 32));
        Assert.AreEqual(1f, PositionBatch.LogLengthFactorOf(500, 0));
    }

    // With n0 = 2, a sequence of 4 tokens has factor ln 4 / ln 2 = 2: the same as doubling the query projection
    // (weights and bias) of a model without the option, since q.k is linear in q (and RoPE rotates q linearly).
    [TestMethod]
    [DoNotParallelize] // sets the process-wide AttentionLayer.ForceGeneralPath, which tests running alongside would see
    [DataRow("rope", false)]
    [DataRow("rope", true)]
    [DataRow("alibi", false)]
    [DataRow("fire", false)]
    public void LogLengthScale_EqualsDoublingTheQueriesAtFourTokens(string scheme, bool general)
    {
        var config = new TransformerConfig { Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 2, FeedForwardDimension = 8, MaxTokens = 4, Dropout = 0 };
        var scaled = new SequenceClassifier(config with { LogLengthScale = 2 }, 3, EngineTestKit.Scheme(scheme), seed: 5);
        var doubled = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 5);
        EngineTestKit.Randomise(scaled, 9);
        EngineTestKit.Randomise(doubled, 9);
        foreach (var p in doubled.Parameters)
        {
            if (p.Name.EndsWith("attention.qkv.weight", StringComparison.Ordinal))
                for (int i = 0; i < 8 * 8; i++) p.Value[i] *= 2; // rows 0..D-1 make q
            if (p.Name.EndsWith("attention.qkv.bias", StringComparison.Ordinal))
                for (int i = 0; i < 8; i++) p.Value[i] *= 2;
        }
        int[] ids = [1, 4, 9, 2, 7, 3, 5, 5];
        int[] lengths = [4, 4];
        AttentionLayer.ForceGeneralPath = general;
        try
        {
            var a = scaled.Forward(ids, lengths, 2, 4, training: false).ToArray();
            var b = doubled.Forward(ids, lengths, 2, 4, training: false).ToArray();
            for (int i = 0; i < a.Length; i++) Assert.AreEqual(b[i], a[i], 1e-5f, $"{scheme} output {i}");
        }
        finally
        {
            AttentionLayer.ForceGeneralPath = false;
        }
    }

    // With the whole logit scaled (LogLengthScaleBiases), the same factor 2 equals doubling the queries and the scheme's
    // bias too: FIRE's bias is b2 + w2 . relu(...), linear in its second layer; T5's is its table's entry. The model
    // that scales q.k alone must differ, or the option would do nothing.
    [TestMethod]
    [DataRow("fire", "position.fire.w2", "position.fire.b2")]
    [DataRow("t5", "position.t5.bias", null)]
    public void LogLengthScaleBiases_EqualsDoublingTheQueriesAndTheBiasAtFourTokens(string scheme, string biasParameter, string? secondBiasParameter)
    {
        var config = new TransformerConfig { Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 2, FeedForwardDimension = 8, MaxTokens = 4, Dropout = 0 };
        var whole = new SequenceClassifier(config with { LogLengthScale = 2, LogLengthScaleBiases = true }, 3, EngineTestKit.Scheme(scheme), seed: 5);
        var queryKeyOnly = new SequenceClassifier(config with { LogLengthScale = 2 }, 3, EngineTestKit.Scheme(scheme), seed: 5);
        var doubled = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 5);
        EngineTestKit.Randomise(whole, 9);
        EngineTestKit.Randomise(queryKeyOnly, 9);
        EngineTestKit.Randomise(doubled, 9);
        foreach (var p in doubled.Parameters)
        {
            if (p.Name.EndsWith("attention.qkv.weight", StringComparison.Ordinal))
                for (int i = 0; i < 8 * 8; i++) p.Value[i] *= 2;
            if (p.Name.EndsWith("attention.qkv.bias", StringComparison.Ordinal))
                for (int i = 0; i < 8; i++) p.Value[i] *= 2;
            if (p.Name == biasParameter || p.Name == secondBiasParameter)
                for (int i = 0; i < p.Value.Length; i++) p.Value[i] *= 2;
        }
        int[] ids = [1, 4, 9, 2, 7, 3, 5, 5];
        int[] lengths = [4, 4];
        var a = whole.Forward(ids, lengths, 2, 4, training: false).ToArray();
        var q = queryKeyOnly.Forward(ids, lengths, 2, 4, training: false).ToArray();
        var b = doubled.Forward(ids, lengths, 2, 4, training: false).ToArray();
        for (int i = 0; i < a.Length; i++) Assert.AreEqual(b[i], a[i], 1e-5f, $"{scheme} output {i}");
        Assert.IsGreaterThan(1e-3, a.Zip(q, (x, y) => (double)Math.Abs(x - y)).Max(), "scaling the bias must change the output");
    }

    [TestMethod]
    public void LogLengthScaleBiases_IsRefusedWithoutLogLengthScale()
    {
        var config = new TransformerConfig { Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 1, MaxTokens = 4, LogLengthScaleBiases = true };
        var e = Assert.Throws<ArgumentException>(() => new TransformerEncoder(config, PE.Fire(), 1));
        StringAssert.Contains(e.Message, "LogLengthScaleBiases");
    }

    [TestMethod]
    [DoNotParallelize] // sets the process-wide AttentionLayer.ForceGeneralPath, which tests running alongside would see
    [DataRow("rope", false, false)]
    [DataRow("rope", true, false)]
    [DataRow("alibi", false, false)]
    [DataRow("fire", false, false)]
    [DataRow("alibi", false, true)]
    [DataRow("fire", false, true)]
    [DataRow("shaw", false, true)]
    public void GradientsWithBothOptions_MatchFiniteDifferences(string scheme, bool general, bool wholeLogit)
    {
        var config = new TransformerConfig
        {
            Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 2, FeedForwardDimension = 12, MaxTokens = 6, Dropout = 0.2f,
            RandomizedPositions = scheme == "shaw" ? 0 : 24, LogLengthScale = 2, LogLengthScaleBiases = wholeLogit,
        };
        var model = new SequenceClassifier(config, 3, EngineTestKit.Scheme(scheme), seed: 5);
        EngineTestKit.Randomise(model, 17);
        int[] ids = [1, 4, 9, 2, 7, 3, 5, 5, 10, 0, 0, 0, 8, 0, 0, 0, 0, 0];
        int[] lengths = [6, 3, 1];
        int[] labels = [2, 0, 1];
        float[] weights = [1f, 2f, 0.5f];
        AttentionLayer.ForceGeneralPath = general;
        try
        {
            // Training mode: positions and dropout masks depend on (seed, step) only, so the loss is a fixed smooth function.
            double Loss()
            {
                model.Forward(ids, lengths, 3, 6, training: true, step: 3);
                return model.Loss(labels, weights, 0.1f);
            }
            model.ZeroGrad();
            Loss();
            Assert.AreEqual(scheme != "shaw", !model.Encoder.Positions.IsEmpty);
            model.Backward();
            var grads = model.Parameters.ToDictionary(p => p.Name, p => (float[])p.Grad.Clone());
            foreach (var p in model.Parameters)
            {
                // FIRE's first layer is a ReLU of w1 u + b1: a step of 1e-2 can cross a hinge for one of the sampled u, so its
                // own parameters take a smaller step.
                float eps = p.Name.StartsWith("position.fire.", StringComparison.Ordinal) ? 2e-3f : 1e-2f;
                GradientCheck.Check($"{scheme}:{p.Name}", p.Value, grads[p.Name], Loss, eps: eps, absTol: 5e-4, relTol: 2e-2,
                    maxChecks: 40, requireSignal: !p.Name.StartsWith("position.", StringComparison.Ordinal));
            }
        }
        finally
        {
            AttentionLayer.ForceGeneralPath = false;
        }
    }

    [TestMethod]
    public void ForLongerInputs_SetsTheMeasuredPreset()
    {
        var options = new TransformerClassifierOptions { Epochs = 3, BatchSize = 16 }.ForLongerInputs(32, 512);
        Assert.IsInstanceOfType<FireEncoding>(options.PositionEncoding);
        Assert.AreEqual(32, options.LogLengthScale);
        Assert.AreEqual(512, options.MaxTokens);
        Assert.AreEqual(0, options.RandomizedPositions);
        Assert.AreEqual(3f, new TransformerClassifierOptions().EmbeddingLearningRateScale, "the classifier's default");
        Assert.IsTrue(options.LogLengthScaleBiases, "the whole logit, FIRE's bias included, is scaled");
        Assert.AreEqual((16, 0), (options.Epochs, options.EarlyStoppingPatience), "the measured budget, without early stopping");
        Assert.AreEqual(3f, options.EmbeddingLearningRateScale, "the classifier's default rate for the token embeddings");
        Assert.IsNull(options.EmbeddingMeanPull, "the scheme's own pull");
        Assert.AreEqual(20f, TransformerClassifierOptions.DefaultEmbeddingMeanPull(options.PositionEncoding));
        Assert.AreEqual(FireEncoding.DefaultInitScale, ((FireEncoding)options.PositionEncoding).InitScale);
        Assert.AreEqual(16, options.BatchSize, "other options are kept");
        var started = new TransformerClassifierOptions { LogLengthScaleBiases = true, EmbeddingLearningRateScale = 1, EmbeddingMeanPull = 0 }.ForLongerInputs(32, 512);
        Assert.AreEqual((3f, (float?)null), (started.EmbeddingLearningRateScale, started.EmbeddingMeanPull), "the preset sets what it was measured with");
        Assert.Throws<ArgumentException>(() => new TransformerClassifierOptions().ForLongerInputs(32, 16));
        Assert.Throws<ArgumentException>(() => new TransformerClassifierOptions().ForLongerInputs(1, 16));
    }

    [TestMethod]
    [DataRow("rope")]
    [DataRow("fire")]
    public void SaveLoad_WithBothOptions_GivesBitIdenticalScores(string scheme)
    {
        var ml = new MLContext(1);
        var raw = ml.Data.LoadFromEnumerable(MLComponents.UnitTests.Trainer.OrderTask.Ids(120, 2));
        var options = TrainerTestKit.Small(EngineTestKit.Scheme(scheme), 1);
        options.RandomizedPositions = 48;
        options.LogLengthScale = 8;
        options.LogLengthScaleBiases = scheme == "fire"; // saved and restored: FIRE's bias takes the factor only with it
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Transformer(options)).Fit(raw);
        // Sequences of 6-12 tokens and n0 = 8: longer rows are scaled, so a model reloaded without the option would score differently.
        var test = ml.Data.LoadFromEnumerable(MLComponents.UnitTests.Trainer.OrderTask.Ids(30, 3));
        var before = TrainerTestKit.Scores(model.Transform(test));

        using var stream = new MemoryStream();
        ml.Model.Save(model, raw.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        var after = TrainerTestKit.Scores(loaded.Transform(test));
        Assert.HasCount(before.Count, after);
        for (int r = 0; r < before.Count; r++)
        {
            CollectionAssert.AreEqual(before[r].Select(BitConverter.SingleToInt32Bits).ToArray(), after[r].Select(BitConverter.SingleToInt32Bits).ToArray(), $"row {r}");
        }
    }
}
