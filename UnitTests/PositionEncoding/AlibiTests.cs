using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class AlibiTests
{
    [TestMethod]
    [DataRow("alibi_symmetric_h4", AlibiForm.Symmetric)]
    [DataRow("alibi_bidirectional_h3", AlibiForm.Bidirectional)]
    [DataRow("alibi_symmetric_h6", AlibiForm.Symmetric)]
    public void MatchesPyTorchGolden(string name, AlibiForm form)
    {
        var c = Case(name);
        int b = Int(c, "B"), h = Int(c, "H"), t = Int(c, "T"), dh = Int(c, "dh");
        foreach (bool learn in new[] { false, true })
        {
            var scheme = PE.ALiBi(form, learn);
            var module = scheme.CreateModule(new PositionModuleShape(h * dh, h, 1, t), 0);
            var logits = Floats(c, "logits");
            module.ForwardLogits(0, new float[b * h * t * dh], logits, new PositionBatch(b, t, Ints(c, "lengths")), h, dh, 0.5f);
            AreClose(Floats(c, "out"), logits, 1e-6, name);
            AreClose(Floats(c, "bias"), scheme.Bias(h, t), 1e-6, name + " inspection");
            AreClose(Floats(c, "bias"), ((IRelativeBiasSource)module).Bias(t, t), 1e-6, name + " module inspection");
        }
    }

    [TestMethod]
    public void GeometricSlopesHandWorked()
    {
        // H = 8: 2^(-8h/8) = 2^-h. H = 6 (not a power of two): the 4-head sequence 2^-2, 2^-4, 2^-6, 2^-8, then the
        // first two of every other slope of the 8-head sequence: 2^-1, 2^-3.
        CollectionAssert.AreEqual(new[] { 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625 }, AlibiEncoding.GeometricSlopes(8));
        CollectionAssert.AreEqual(new[] { 0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125 }, AlibiEncoding.GeometricSlopes(6));
        // Bidirectional with H = 2 splits the 4-head sequence 2^-2, 2^-4, 2^-6, 2^-8: left (2^-4, 2^-8), right (2^-2, 2^-6).
        CollectionAssert.AreEqual(new[] { 0.0625, 0.00390625, 0.25, 0.015625 }, PE.ALiBi().InitialSlopes(2));
        // Bias of head 0 at T = 3, query 2 key 0 (two to the left): -2 * 2^-4; query 0 key 2: -2 * 2^-2.
        var bias = PE.ALiBi().Bias(2, 3);
        Assert.AreEqual(-0.125f, bias[(2 * 3) + 0]);
        Assert.AreEqual(-0.5f, bias[(0 * 3) + 2]);
        Assert.AreEqual(0f, bias[(1 * 3) + 1]);
    }

    [TestMethod]
    public void SymmetricCannotTellASequenceFromItsReverseBidirectionalCan()
    {
        // Token vectors q_t, k_t carry no position; reversing the sequence reverses both axes of the content logits.
        const int T = 7, H = 4, dh = 4;
        var rng = new Random(11);
        var qv = Randn(rng, H * T * dh);
        var kv = Randn(rng, H * T * dh);
        float[] Logits(bool reversed)
        {
            var l = new float[H * T * T];
            for (int h = 0; h < H; h++)
                for (int i = 0; i < T; i++)
                    for (int j = 0; j < T; j++)
                    {
                        int ti = reversed ? T - 1 - i : i, tj = reversed ? T - 1 - j : j;
                        double s = 0;
                        for (int e = 0; e < dh; e++) s += qv[(((h * T) + ti) * dh) + e] * kv[(((h * T) + tj) * dh) + e];
                        l[(((h * T) + i) * T) + j] = (float)(s / 2);
                    }
            return l;
        }
        double MaxMismatch(AlibiForm form)
        {
            var module = PE.ALiBi(form).CreateModule(new PositionModuleShape(H * dh, H, 1, T), 0);
            var forward = Logits(false);
            var backward = Logits(true);
            var batch = new PositionBatch(1, T, [T]);
            module.ForwardLogits(0, new float[H * T * dh], forward, batch, H, dh, 0.5f);
            module.ForwardLogits(0, new float[H * T * dh], backward, batch, H, dh, 0.5f);
            double worst = 0;
            for (int h = 0; h < H; h++)
                for (int i = 0; i < T; i++)
                    for (int j = 0; j < T; j++)
                        worst = Math.Max(worst, Math.Abs(backward[(((h * T) + i) * T) + j] - forward[(((h * T) + T - 1 - i) * T) + T - 1 - j]));
            return worst;
        }
        Assert.AreEqual(0, MaxMismatch(AlibiForm.Symmetric), 1e-6, "symmetric ALiBi: reversed sequence gives the reversed logits");
        Assert.IsGreaterThan(0.1, MaxMismatch(AlibiForm.Bidirectional), "bidirectional ALiBi tells the two orders apart");
    }

    [TestMethod]
    [DataRow(AlibiForm.Symmetric)]
    [DataRow(AlibiForm.Bidirectional)]
    public void LearnedSlopesBackwardMatchesFiniteDifferences(AlibiForm form)
    {
        var module = PE.ALiBi(form, learnSlopes: true).CreateModule(new PositionModuleShape(12, 3, 1, 6), 0);
        Assert.HasCount(1, module.Parameters);
        Assert.AreEqual(form == AlibiForm.Symmetric ? 3 : 6, module.Parameters[0].Length);
        CheckLogits(module, new PositionBatch(2, 6, [6, 3]), 3, 4);
    }

    [TestMethod]
    public void FixedSlopesHaveNoParametersAndLeaveDqAlone()
    {
        var module = PE.ALiBi().CreateModule(new PositionModuleShape(8, 2, 1, 4), 0);
        Assert.IsEmpty(module.Parameters);
        CheckLogits(module, new PositionBatch(1, 4, [4]), 2, 4);
    }

    [TestMethod]
    public void LargeBatchIsDeterministic()
    {
        var rng = new Random(2);
        const int B = 8, H = 4, T = 40;
        var batch = new PositionBatch(B, T, [.. Enumerable.Repeat(T, B)]);
        var g = Randn(rng, B * H * T * T);
        float[] Run()
        {
            var m = PE.ALiBi(learnSlopes: true).CreateModule(new PositionModuleShape(16, H, 1, T), 0);
            var l = (float[])g.Clone();
            m.ForwardLogits(0, [], l, batch, H, 4, 1);
            m.BackwardLogits(0, [], g, [], batch, H, 4, 1);
            return [.. l, .. m.Parameters[0].Grad];
        }
        CollectionAssert.AreEqual(Run(), Run());
    }

    [TestMethod]
    public void OptionsAndJson()
    {
        Assert.AreEqual("form", Assert.ThrowsExactly<ArgumentException>(() => PE.ALiBi((AlibiForm)7)).ParamName);
        RoundTrips(PE.ALiBi());
        RoundTrips(PE.ALiBi(AlibiForm.Symmetric, learnSlopes: true));
        var back = (AlibiEncoding)PE.FromJson(PE.ALiBi(AlibiForm.Symmetric, true).ToJson());
        Assert.AreEqual((AlibiForm.Symmetric, true), (back.Form, back.LearnSlopes));
    }
}
