using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class ShawRelativeTests
{
    [TestMethod]
    public void MatchesPyTorchGolden()
    {
        var c = Case("shaw");
        int b = Int(c, "B"), h = Int(c, "H"), t = Int(c, "T"), dh = Int(c, "dh");
        var scheme = PE.ShawRelative(clip: 2);
        CollectionAssert.AreEqual(Ints(c, "indices"), scheme.DistanceIndices(t));
        var module = scheme.CreateModule(new PositionModuleShape(h * dh, h, 1, t), 0);
        LoadParameters(module, c);
        var batch = new PositionBatch(b, t, Ints(c, "lengths"));
        var logits = Floats(c, "logits");
        module.ForwardLogits(0, Floats(c, "q"), logits, batch, h, dh, (float)c["scale"]!.GetValue<double>());
        AreClose(Floats(c, "out_logits"), logits, 2e-6, "logits");
        var o = Floats(c, "o");
        module.ForwardValues(0, Floats(c, "probs"), o, batch, h, dh);
        AreClose(Floats(c, "out_o"), o, 2e-6, "values");
    }

    [TestMethod]
    public void HandWorkedIndicesAndTerms()
    {
        // clip 1: index = clamp(j - i, -1, 1) + 1. Row 0: keys 0..3 -> 1, 2, 2, 2; row 3 -> 0, 0, 0, 1.
        var s = PE.ShawRelative(clip: 1);
        CollectionAssert.AreEqual(new[] { 1, 2, 2, 2 }, s.DistanceIndices(4).AsSpan(0, 4).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 1 }, s.DistanceIndices(4).AsSpan(12, 4).ToArray());
        // dh 2, T 2, aK rows (left, same, right) = (1,0), (0,1), (2,2); q_0 = (1, 3), scale 0.5:
        // logit(0,0) += 0.5 * q0.aK[1] = 1.5; logit(0,1) += 0.5 * q0.aK[2] = 4.
        var m = s.CreateModule(new PositionModuleShape(2, 1, 1, 2), 0);
        float[] aK = [1, 0, 0, 1, 2, 2];
        aK.CopyTo(m.Parameters[0].Value, 0);
        var logits = new float[4];
        m.ForwardLogits(0, [1, 3, 0, 0], logits, new PositionBatch(1, 2, [2]), 1, 2, 0.5f);
        AreClose([1.5f, 4, 0, 0], logits, 1e-7, "logits");
        // Values: aV rows (1,1), (10,0), (0,100); probs row 0 = (0.25, 0.75): o_0 += 0.25 aV[1] + 0.75 aV[2] = (2.5, 75);
        // row 1 = (0.5, 0.5) over keys at -1 and 0: o_1 += 0.5 aV[0] + 0.5 aV[1] = (5.5, 0.5).
        float[] aV = [1, 1, 10, 0, 0, 100];
        aV.CopyTo(m.Parameters[1].Value, 0);
        var o = new float[4];
        m.ForwardValues(0, [0.25f, 0.75f, 0.5f, 0.5f], o, new PositionBatch(1, 2, [2]), 1, 2);
        AreClose([2.5f, 75, 5.5f, 0.5f], o, 1e-6, "values");
    }

    [TestMethod]
    public void LogitBackwardMatchesFiniteDifferences()
    {
        var module = PE.ShawRelative(clip: 2).CreateModule(new PositionModuleShape(8, 2, 2, 6), 1);
        CheckLogits(module, new PositionBatch(2, 6, [6, 3]), 2, 4, layer: 1);
    }

    [TestMethod]
    public void ValueBackwardMatchesFiniteDifferences()
    {
        var module = PE.ShawRelative(clip: 3).CreateModule(new PositionModuleShape(8, 2, 2, 6), 1);
        CheckValues(module, new PositionBatch(2, 6, [6, 3]), 2, 4, layer: 0);
    }

    [TestMethod]
    public void LargeBatchIsDeterministic()
    {
        const int B = 6, H = 4, T = 32, dh = 8;
        var rng = new Random(4);
        var batch = new PositionBatch(B, T, [.. Enumerable.Repeat(T, B)]);
        var q = Randn(rng, B * H * T * dh);
        var g = Randn(rng, B * H * T * T);
        float[] Run()
        {
            var m = PE.ShawRelative(clip: 4).CreateModule(new PositionModuleShape(H * dh, H, 1, T), 0);
            var l = (float[])g.Clone();
            var dq = new float[q.Length];
            var dp = new float[g.Length];
            m.ForwardLogits(0, q, l, batch, H, dh, 0.3f);
            m.BackwardLogits(0, q, g, dq, batch, H, dh, 0.3f);
            m.BackwardValues(0, g, q, dp, batch, H, dh);
            return [.. l, .. dq, .. dp, .. m.Parameters[0].Grad, .. m.Parameters[1].Grad];
        }
        CollectionAssert.AreEqual(Run(), Run());
    }

    [TestMethod]
    public void KeysOnlyHasNoValueHook()
    {
        var m = PE.ShawRelative(values: false).CreateModule(new PositionModuleShape(8, 2, 3, 6), 0);
        Assert.IsFalse(m.HasValueHook);
        Assert.IsTrue(m.HasLogitHook);
        CollectionAssert.AreEqual(new[] { "position.shaw.key.0", "position.shaw.key.1", "position.shaw.key.2" }, m.Parameters.Select(p => p.Name).ToArray());
    }

    [TestMethod]
    public void OptionsAndJson()
    {
        Assert.AreEqual("clip", Assert.ThrowsExactly<ArgumentException>(() => PE.ShawRelative(clip: 0)).ParamName);
        Assert.AreEqual("initStd", Assert.ThrowsExactly<ArgumentException>(() => PE.ShawRelative(initStd: -2)).ParamName);
        RoundTrips(PE.ShawRelative());
        RoundTrips(PE.ShawRelative(3, false, 0.5));
        var back = (ShawRelativeEncoding)PE.FromJson(PE.ShawRelative(3, false, 0.5).ToJson());
        Assert.AreEqual((3, false, 0.5), (back.Clip, back.Values, back.InitStd));
    }
}
