using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.Numerics;

namespace MLComponents.UnitTests.Engine;

/// <summary>The fused attention path against the general (materialised logits) path it replaces for hook-free schemes.</summary>
[TestClass]
[DoNotParallelize]
public sealed class FusedAttentionTests
{
    [TestMethod]
    [DataRow("none", 13, 0f)]
    [DataRow("rope", 64, 0f)]
    [DataRow("rope", 21, 0.2f)]
    [DataRow("rope-dynamic-yarn", 21, 0.2f)]
    [DataRow("xpos", 9, 0f)]
    [DataRow("sinusoidal", 17, 0.2f)]
    public void MatchesTheGeneralPathForwardAndBackward(string scheme, int t, float dropout)
    {
        int b = 3, d = 16, h = 2;
        int[] lengths = [t, Math.Max(1, t - 5), 1];
        var pb = new PositionBatch(b, t, lengths);
        var module = EngineTestKit.Scheme(scheme).CreateModule(new PositionModuleShape(d, h, 1, t), 0);
        Assert.IsTrue(AttentionLayer.UsesFusedPath(module), scheme);
        var rng = new Random(t);
        var qkv = GradientCheck.Random(rng, b * t * 3 * d, 1.5f);
        var dOut = GradientCheck.Random(rng, b * t * d);
        ulong key = DropoutLayer.Key(3, 2, 0);

        (float[] Out, float[] Dqkv) Run(bool general, int threads)
        {
            AttentionLayer.ForceGeneralPath = general;
            try
            {
                var act = new AttentionActivations(b, t, d, h, dropout > 0);
                var grads = new AttentionGradients(b, t, d, h);
                var output = new float[b * t * d];
                var dqkv = new float[qkv.Length];
                Array.Fill(dqkv, float.NaN); // every entry must be written
                AttentionLayer.Forward(0, qkv, output, act, module, pb, d, h, dropout, key, true, threads);
                AttentionLayer.Backward(0, dOut, dqkv, act, grads, module, pb, d, h, dropout, key, true, threads);
                return (output, dqkv);
            }
            finally
            {
                AttentionLayer.ForceGeneralPath = false;
            }
        }

        var general = Run(true, 1);
        var fused = Run(false, 1);
        AssertClose(general.Out, fused.Out, "output");
        AssertClose(general.Dqkv, fused.Dqkv, "dqkv");
        var fused2 = Run(false, 2);
        CollectionAssert.AreEqual(fused.Out, fused2.Out, "output bits with 2 threads");
        CollectionAssert.AreEqual(fused.Dqkv, fused2.Dqkv, "dqkv bits with 2 threads");
    }

    [TestMethod]
    public void SchemesWithLogitOrValueHooksKeepTheGeneralPath()
    {
        foreach (string scheme in new[] { "alibi", "t5", "shaw", "fire", "scaled" })
        {
            var module = EngineTestKit.Scheme(scheme).CreateModule(new PositionModuleShape(16, 2, 1, 16), 0);
            Assert.IsFalse(AttentionLayer.UsesFusedPath(module), scheme);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        float scale = expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.IsLessThanOrEqualTo(1e-5 * scale + 1e-5 * Math.Abs(expected[i]), Math.Abs(expected[i] - actual[i]),
                $"{what}[{i}]: general {expected[i]:G7}, fused {actual[i]:G7}");
        }
    }
}
