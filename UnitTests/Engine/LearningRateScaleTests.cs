using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.Numerics;

namespace MLComponents.UnitTests.Engine;

/// <summary>
/// A parameter's learning-rate multiplier: the scaled parameter must move exactly as a plain AdamW run at lr x scale moves
/// it (step and decoupled decay alike), and every other parameter exactly as at lr, on the dense and the sparse paths.
/// </summary>
[TestClass]
public sealed class LearningRateScaleTests
{
    private const double Rate = 2e-3, Scale = 3;

    private static Parameter Filled(string name, int rows, int width, int seed)
    {
        var p = new Parameter(name, [rows, width]);
        var rng = new Random(seed);
        for (int i = 0; i < p.Length; i++)
        {
            p.Value[i] = (float)(rng.NextDouble() - 0.5);
        }

        return p;
    }

    private static void Gradients(Parameter p, int step, int[]? rowsOnly = null)
    {
        var rng = new Random(100 + step);
        int width = p.Shape[1];
        Array.Clear(p.Grad);
        for (int r = 0; r < p.Shape[0]; r++)
        {
            bool touched = rowsOnly is null || Array.IndexOf(rowsOnly, r) >= 0;
            for (int k = 0; k < width; k++)
            {
                float g = (float)(rng.NextDouble() - 0.5);
                p.Grad[r * width + k] = touched ? g : 0f;
            }
        }
    }

    [TestMethod]
    public void TheScaledParameterMovesAsAtTheScaledRateAndTheOthersAsAtTheRate()
    {
        // One optimiser over (table, matrix) with the table scaled; references: each alone, plain, at lr x 3 and at lr.
        Parameter table = Filled("table", 6, 8, 1), matrix = Filled("matrix", 4, 8, 2);
        Parameter tableRef = Filled("table", 6, 8, 1), matrixRef = Filled("matrix", 4, 8, 2);
        var scaled = new AdamW([table, matrix], weightDecay: 0.1f, learningRateScale: p => ReferenceEquals(p, table) ? Scale : 1.0);
        var atScaledRate = new AdamW([tableRef], weightDecay: 0.1f);
        var atRate = new AdamW([matrixRef], weightDecay: 0.1f);
        for (int step = 0; step < 3; step++)
        {
            foreach (var p in new[] { table, tableRef })
            {
                Gradients(p, step);
            }

            foreach (var p in new[] { matrix, matrixRef })
            {
                Gradients(p, 10 + step);
            }

            scaled.Update(Rate);
            atScaledRate.Update(Rate * Scale);
            atRate.Update(Rate);
        }

        CollectionAssert.AreEqual(tableRef.Value, table.Value, "the scaled table against plain AdamW at lr x 3");
        CollectionAssert.AreEqual(matrixRef.Value, matrix.Value, "the unscaled matrix against plain AdamW at lr");
        var unscaled = Filled("table", 6, 8, 1);
        var plain = new AdamW([unscaled], weightDecay: 0.1f);
        for (int step = 0; step < 3; step++)
        {
            Gradients(unscaled, step);
            plain.Update(Rate);
        }

        Assert.IsGreaterThan(1e-4, MaxDifference(unscaled.Value, table.Value), "the scale must move the table differently from lr itself");
    }

    [TestMethod]
    public void TheSparseRowUpdateHonoursTheScale()
    {
        Parameter table = Filled("table", 6, 8, 1), tableRef = Filled("table", 6, 8, 1);
        var scaled = new AdamW([table], weightDecay: 0.1f, learningRateScale: _ => Scale);
        var atScaledRate = new AdamW([tableRef], weightDecay: 0.1f);
        var rows = new TouchedRows(6);
        var rowsRef = new TouchedRows(6);
        scaled.UpdateRowsOnly(table, rows);
        atScaledRate.UpdateRowsOnly(tableRef, rowsRef);
        int[] touched = [1, 4];
        for (int step = 0; step < 2; step++)
        {
            foreach (var (p, r) in new[] { (table, rows), (tableRef, rowsRef) })
            {
                Gradients(p, step, touched);
                r.Reset();
                foreach (int row in touched)
                {
                    r.Mark(row);
                }
            }

            scaled.Update(Rate);
            atScaledRate.Update(Rate * Scale);
        }

        CollectionAssert.AreEqual(tableRef.Value, table.Value, "sparse rows of the scaled table against plain AdamW at lr x 3");
    }

    [TestMethod]
    public void AScaleThatIsNotPositiveIsRefusedByName()
    {
        var p = Filled("layers.0.ffn.up.weight", 2, 2, 1);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AdamW([p], learningRateScale: _ => 0));
        StringAssert.Contains(e.Message, "layers.0.ffn.up.weight");
        var options = new SequenceClassifierOptions { Classes = 2, Vocabulary = 4, EmbeddingLearningRateScale = -1 };
        var o = Assert.ThrowsExactly<ArgumentException>(() => new SequenceClassifierTrainer(options).Fit([[1, 2]], [0]));
        StringAssert.Contains(o.Message, "EmbeddingLearningRateScale");
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        }

        return worst;
    }
}
