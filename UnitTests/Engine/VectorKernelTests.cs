using System.Runtime.Intrinsics;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.Numerics;

namespace MLComponents.UnitTests.Engine;

/// <summary>The register-level maths the fused layer loops use, against double-precision references.</summary>
[TestClass]
public sealed class VectorKernelTests
{
    [TestMethod]
    public void ExpIsWithinTwoUlpOverItsRangeAndClampsOutsideIt()
    {
        var rng = new Random(2);
        for (int i = 0; i < 20000; i++)
        {
            float x = (float)(rng.NextDouble() * 175 - 87);
            float got = VectorMath.Exp(Vector256.Create(x)).GetElement(3);
            double want = Math.Exp(x);
            Assert.AreEqual(want, got, 2.5 * Ulp((float)want), $"exp({x:R})");
        }

        Assert.AreEqual(1f, VectorMath.Exp(Vector256<float>.Zero).GetElement(0));
        Assert.IsTrue(VectorMath.Exp(Vector256.Create(-1000f)).GetElement(0) is >= 0f and < 1e-37f);
        Assert.IsTrue(float.IsFinite(VectorMath.Exp(Vector256.Create(1000f)).GetElement(0)));
    }

    [TestMethod]
    public void GeluTailsMatchTheVectorBody()
    {
        // Lanes are independent: a value gives the same bits whether it lands in a full register or in the tail.
        var x = Enumerable.Range(0, 37).Select(i => (i - 18) * 0.37f).ToArray();
        var full = new float[x.Length];
        GeluLayer.Forward(x, full, x.Length, 1);
        for (int n = 1; n <= x.Length; n++)
        {
            var part = new float[n];
            GeluLayer.Forward(x[^n..], part, n, 1);
            CollectionAssert.AreEqual(full[^n..], part, $"last {n}");
        }
    }

    [TestMethod]
    public void VectorRopeRotationIsBitForBitTheScalarFormula()
    {
        // B 2, H 2, T 5, dh 16 (8 pairs): each pair (a, b) at position t -> (a cos - b sin, a sin + b cos), with
        // cos and sin rounded to float first, exactly as the scalar path computes it; the inverse undoes it.
        int b = 2, h = 2, t = 5, dh = 16, pairs = dh / 2;
        var module = MLComponents.PositionEncoding.Rotary().CreateModule(new PositionModuleShape(dh * h, h, 1, t), 0);
        var rng = new Random(5);
        var q = Enumerable.Range(0, b * h * t * dh).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var k = Enumerable.Range(0, q.Length).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        float[] q0 = (float[])q.Clone(), k0 = (float[])k.Clone();
        var pb = new PositionBatch(b, t, [t, 3]);
        module.ForwardQueryKey(0, q, k, pb, h, dh);
        for (int row = 0; row < b * h * t; row++)
        {
            int pos = row % t;
            for (int i = 0; i < pairs; i++)
            {
                double angle = pos * Math.Pow(10000, -2.0 * i / dh);
                float c = (float)Math.Cos(angle), s = (float)Math.Sin(angle);
                foreach (var (x0, x) in new[] { (q0, q), (k0, k) })
                {
                    float a = x0[row * dh + 2 * i], bb = x0[row * dh + 2 * i + 1];
                    Assert.AreEqual((a * c) - (bb * s), x[row * dh + 2 * i], $"row {row} pair {i}");
                    Assert.AreEqual((a * s) + (bb * c), x[row * dh + 2 * i + 1], $"row {row} pair {i}");
                }
            }
        }

        module.BackwardQueryKey(0, q, k, pb, h, dh);
        for (int i = 0; i < q.Length; i++)
        {
            Assert.AreEqual(q0[i], q[i], 1e-5f);
            Assert.AreEqual(k0[i], k[i], 1e-5f);
        }
    }

    private static double Ulp(float v) => Math.Max(float.Epsilon, MathF.BitIncrement(MathF.Abs(v)) - MathF.Abs(v));
}
