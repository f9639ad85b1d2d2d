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

    [TestMethod]
    [DataRow(37, 70, 45, 1)]
    [DataRow(300, 64, 128, 2)]
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

    internal static float[] Random(Random rng, int n, float scale = 1f) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale))];
}
