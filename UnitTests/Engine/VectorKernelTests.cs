using System.Runtime.Intrinsics;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

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

    private static double Ulp(float v) => Math.Max(float.Epsilon, MathF.BitIncrement(MathF.Abs(v)) - MathF.Abs(v));
}
