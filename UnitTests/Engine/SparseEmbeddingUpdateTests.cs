using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

/// <summary>The opt-in sparse embedding update against the dense AdamW it departs from, where it departs.</summary>
[TestClass]
public sealed class SparseEmbeddingUpdateTests
{
    private static readonly TransformerConfig Config = new()
    {
        Vocabulary = 40, ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 32, MaxTokens = 8, Dropout = 0f,
    };

    private static (SequenceClassifier Model, AdamW Optimiser) Make(bool sparse, float weightDecay)
    {
        var model = new SequenceClassifier(Config, 3, EngineTestKit.Scheme("rope"), seed: 3);
        var optimiser = new AdamW(model.Parameters, weightDecay);
        if (sparse)
        {
            model.SparseEmbeddingGradients = true;
            optimiser.UpdateRowsOnly(model.Encoder.TokenEmbedding, model.Encoder.TokenRows);
        }

        return (model, optimiser);
    }

    private static void Step(SequenceClassifier model, AdamW optimiser, int[] ids)
    {
        model.ZeroGrad();
        model.Forward(ids, [4, 4], 2, 4, training: true);
        model.Loss([0, 2]);
        model.Backward();
        optimiser.Update(1e-2);
    }

    [TestMethod]
    public void RowsTouchedEveryStepMatchDenseBitForBitAndOthersStayPut()
    {
        // Tokens 1..7 appear in every batch; 20..23 only in the first. Weight decay 0, so the first step is identical
        // everywhere; afterwards dense AdamW keeps moving rows 20..23 on their momentum, sparse leaves them.
        int[] first = [1, 2, 3, 20, 4, 5, 21, 22];
        int[] later = [1, 2, 3, 4, 5, 6, 7, 1];
        var (dense, denseOpt) = Make(false, 0f);
        var (sparse, sparseOpt) = Make(true, 0f);
        Step(dense, denseOpt, first);
        Step(sparse, sparseOpt, first);
        for (int i = 0; i < dense.Parameters.Count; i++)
        {
            CollectionAssert.AreEqual(dense.Parameters[i].Value, sparse.Parameters[i].Value, "after step 1: " + dense.Parameters[i].Name);
        }

        float[] afterFirst = (float[])sparse.Encoder.TokenEmbedding.Value.Clone();
        for (int s = 0; s < 3; s++)
        {
            Step(dense, denseOpt, later);
            Step(sparse, sparseOpt, later);
        }

        int d = Config.ModelDimension;
        float[] de = dense.Encoder.TokenEmbedding.Value, se = sparse.Encoder.TokenEmbedding.Value;
        foreach (int row in new[] { 20, 21, 22 })
        {
            CollectionAssert.AreEqual(afterFirst.AsSpan(row * d, d).ToArray(), se.AsSpan(row * d, d).ToArray(), $"sparse row {row} moved");
            CollectionAssert.AreNotEqual(afterFirst.AsSpan(row * d, d).ToArray(), de.AsSpan(row * d, d).ToArray(), $"dense row {row} should move on momentum");
        }

        foreach (int row in new[] { 1, 2, 3, 4, 5 })
        {
            CollectionAssert.AreEqual(de.AsSpan(row * d, d).ToArray(), se.AsSpan(row * d, d).ToArray(), $"row {row}, touched every step");
        }

        foreach (int row in new[] { 0, 30 })
        {
            CollectionAssert.AreEqual(de.AsSpan(row * d, d).ToArray(), se.AsSpan(row * d, d).ToArray(), $"row {row}, never touched");
        }

        // Every other parameter is updated densely in both.
        for (int i = 1; i < dense.Parameters.Count; i++)
        {
            CollectionAssert.AreEqual(dense.Parameters[i].Value, sparse.Parameters[i].Value, dense.Parameters[i].Name);
        }
    }

    [TestMethod]
    public void SparseClearLeavesTheWholeGradientZeroBetweenSteps()
    {
        var (model, optimiser) = Make(true, 0.01f);
        Step(model, optimiser, [1, 2, 3, 20, 4, 5, 21, 22]);
        model.ZeroGrad();
        Assert.IsTrue(model.Encoder.TokenEmbedding.Grad.All(g => g == 0f));
        Assert.AreEqual(0, model.Encoder.TokenRows.Rows.Length);
    }

    [TestMethod]
    public void TrainerOptionTrainsTheOrderTask()
    {
        var (train, labels) = OrderTask.Make(200, seed: 5);
        var options = new SequenceClassifierOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, Dropout = 0f, MaxTokens = 16,
            Vocabulary = OrderTask.Vocabulary, PositionEncoding = EngineTestKit.Scheme("rope"), Epochs = 2, BatchSize = 16,
            Seed = 1, Threads = 1, SparseEmbeddingUpdate = true,
        };
        var model = new SequenceClassifierTrainer(options).Fit(train, labels);
        Assert.IsTrue(model.SparseEmbeddingGradients);
    }
}
