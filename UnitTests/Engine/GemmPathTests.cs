using System.Numerics.Tensors;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

/// <summary>The product's fused epilogues and special paths give the same bits as the plain product plus separate passes.</summary>
[TestClass]
public sealed class GemmPathTests
{
    [TestMethod]
    [DataRow(37, 70, 45, 1)]
    [DataRow(2048 / 16, 128, 512, 2)]
    [DataRow(1, 33, 7, 1)]
    [DataRow(32, 128, 384, 1)]
    [DataRow(300, 257, 129, 2)]
    [DataRow(32, 128, 512, 2)] // a sentence's up-projection: weight-stationary, pass back split over feature blocks
    [DataRow(30, 128, 520, 2)] // the same with rows and features that are not whole 8 x 8 transposes or blocks
    public void BiasAndGeluEpilogueEqualSeparatePasses(int rows, int inputs, int outputs, int threads)
    {
        var rng = new Random(rows + inputs);
        float[] x = Random(rng, rows * inputs), w = Random(rng, outputs * inputs), bias = Random(rng, outputs);
        var plain = new float[rows * outputs];
        Gemm.Multiply(false, true, rows, outputs, inputs, x, inputs, w, inputs, plain, outputs);
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(plain.AsSpan(r * outputs, outputs), bias, plain.AsSpan(r * outputs, outputs));
        }

        var geluPlain = new float[plain.Length];
        GeluLayer.Forward(plain, geluPlain, plain.Length, 1);

        var y = new float[plain.Length];
        var g = new float[plain.Length];
        LinearLayer.Forward(x, w, bias, y, g, rows, inputs, outputs, threads);
        CollectionAssert.AreEqual(plain, y, "y");
        CollectionAssert.AreEqual(geluPlain, g, "gelu(y)");
        var y2 = new float[plain.Length];
        LinearLayer.Forward(x, w, bias, y2, rows, inputs, outputs, threads);
        CollectionAssert.AreEqual(plain, y2, "y without gelu");
    }

    /// <summary>
    /// A weight gradient with more outputs than inputs and at least <see cref="LinearLayer.WeightGradientSwapMinRows"/> rows is
    /// computed as (x^T dy)^T: from zero it gives the plain dy^T x bit for bit (each element is the same k-ordered chain of
    /// multiply-adds, a*b being b*a), for any thread count; added to an earlier gradient it differs by one rounding.
    /// </summary>
    [TestMethod]
    [DataRow(2048, 128, 512, 1)]
    [DataRow(2048, 128, 384, 2)]
    [DataRow(300, 37, 101, 2)]
    [DataRow(257, 5, 6, 1)]
    public void TransposedWeightGradientEqualsThePlainProduct(int rows, int inputs, int outputs, int threads)
    {
        Assert.IsGreaterThanOrEqualTo(LinearLayer.WeightGradientSwapMinRows, rows, "the swapped path runs");
        var rng = new Random(rows + outputs);
        float[] x = Random(rng, rows * inputs), w = Random(rng, outputs * inputs), dy = Random(rng, rows * outputs);
        var plain = new float[outputs * inputs];
        Gemm.Multiply(true, false, outputs, inputs, rows, dy, outputs, x, inputs, plain, inputs);
        var dW = new float[outputs * inputs];
        var dx = new float[rows * inputs];
        LinearLayer.Backward(x, w, dy, dx, dW, null, rows, inputs, outputs, threads);
        CollectionAssert.AreEqual(plain, dW, "from zero");

        var earlier = Random(rng, outputs * inputs);
        var accumulated = (float[])earlier.Clone();
        LinearLayer.Backward(x, w, dy, null, accumulated, null, rows, inputs, outputs, threads);
        for (int i = 0; i < plain.Length; i++)
        {
            double expected = (double)earlier[i] + plain[i];
            Assert.AreEqual(expected, accumulated[i], 1e-6 * (1 + Math.Abs(expected)), $"accumulated [{i}]");
        }
    }

    [TestMethod]
    [DataRow(37, 70, 45, 1)]
    [DataRow(300, 64, 128, 2)]
    [DataRow(40, 64, 1100, 2)] // weight-stationary with the pass back split over feature blocks
    public void ResidualEpilogueEqualsASeparateAdd(int rows, int inputs, int outputs, int threads)
    {
        var rng = new Random(rows);
        float[] x = Random(rng, rows * inputs), w = Random(rng, outputs * inputs), bias = Random(rng, outputs), res = Random(rng, rows * outputs);
        var plain = new float[rows * outputs];
        LinearLayer.Forward(x, w, bias, plain, rows, inputs, outputs, 1);
        TensorPrimitives.Add(plain, res, plain);
        var fused = new float[plain.Length];
        LinearLayer.Forward(x, w, bias, fused, null, rows, inputs, outputs, threads, residual: res);
        CollectionAssert.AreEqual(plain, fused);
    }

    [TestMethod]
    [DataRow(2048, 512, 128, 2)] // the feed-forward's down projection: parallel strips over a whole packed B
    [DataRow(300, 37, 45, 1)]    // one thread, columns that are not whole 8-wide registers
    [DataRow(3, 5, 4, 1)]        // small enough for the scalar product
    public void GeluBackwardEpilogueEqualsASeparatePass(int rows, int inputs, int outputs, int threads)
    {
        // Backward of y = gelu(u) W^T + b: dx = dy W, then dx *= gelu'(u), as two passes and as one.
        var rng = new Random(rows + outputs);
        float[] x = Random(rng, rows * inputs), w = Random(rng, outputs * inputs), dy = Random(rng, rows * outputs), u = Random(rng, rows * inputs, 3f);
        float[] dwPlain = new float[outputs * inputs], dwFused = new float[outputs * inputs], dbPlain = new float[outputs], dbFused = new float[outputs];
        var plain = new float[rows * inputs];
        LinearLayer.Backward(x, w, dy, plain, dwPlain, dbPlain, rows, inputs, outputs, 1);
        GeluLayer.Backward(u, plain, plain, plain.Length, 1);
        var fused = new float[rows * inputs];
        LinearLayer.Backward(x, w, dy, fused, dwFused, dbFused, rows, inputs, outputs, threads, geluInput: u);
        CollectionAssert.AreEqual(plain, fused, "dx");
        CollectionAssert.AreEqual(dwPlain, dwFused, "dW");
        CollectionAssert.AreEqual(dbPlain, dbFused, "db");
        Assert.ThrowsExactly<ArgumentException>(() => LinearLayer.Backward(x, w, dy, fused, dwFused, dbFused, rows, inputs, outputs, threads,
            accumulateInput: true, geluInput: u));
    }

    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    [DataRow(true, true)]
    public void Vector512AndVector256KernelsGiveTheSequentialChainBitForBit(bool transA, bool transB)
    {
        // Shapes with pairs of full 16-wide panels, an odd panel, a partial panel and row remainders; k over one block.
        var rng = new Random(transA ? 3 : 5);
        foreach (var (m, n, k) in new[] { (37, 80, 70), (12, 32, 300), (64, 64, 32), (7, 48, 9) })
        {
            int lda = transA ? m : k, ldb = transB ? k : n;
            float[] a = Random(rng, (transA ? k : m) * lda), b = Random(rng, (transB ? n : k) * ldb), c0 = Random(rng, m * n);
            var expected = (float[])c0.Clone();
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float s = expected[i * n + j];
                    for (int p = 0; p < k; p++)
                    {
                        s = MathF.FusedMultiplyAdd(transA ? a[p * lda + i] : a[i * lda + p], transB ? b[j * ldb + p] : b[p * ldb + j], s);
                    }

                    expected[i * n + j] = s;
                }
            }

            foreach (bool wide in new[] { false, true })
            {
                GemmKernels.ForceVector512 = wide;
                try
                {
                    var c = (float[])c0.Clone();
                    Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, n, accumulate: true);
                    CollectionAssert.AreEqual(expected, c, $"{m}x{n}x{k} ta={transA} tb={transB} Vector512={wide}");
                }
                finally
                {
                    GemmKernels.ForceVector512 = null;
                }
            }
        }
    }

    internal static float[] Random(Random rng, int n, float scale = 1f) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale))];
}
