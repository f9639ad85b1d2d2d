using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class RotaryTests
{
    private static MLComponents.PositionEncoding FromFixtureOptions(JsonObject o, bool xPos)
    {
        double factor = o["factor"]!.GetValue<double>();
        string rule = o["scaling"]!.GetValue<string>();
        var scaling = (o["dynamic"]?.GetValue<bool>() ?? false)
            ? RotaryScaling.Dynamic(Enum.Parse<RotaryScalingKind>(rule, ignoreCase: true), o["originalLength"]!.GetValue<int>(),
                o["alpha"]!.GetValue<double>(), o["beta"]!.GetValue<double>())
            : rule switch
            {
                "linear" => RotaryScaling.Linear(factor),
                "ntkaware" => RotaryScaling.NtkAware(factor),
                "yarn" => RotaryScaling.Yarn(factor, o["originalLength"]!.GetValue<int>(), o["alpha"]!.GetValue<double>(), o["beta"]!.GetValue<double>()),
                _ => RotaryScaling.None,
            };
        var pairing = o["pairing"]!.GetValue<string>() == "interleaved" ? RotaryPairing.Interleaved : RotaryPairing.RotateHalf;
        double b = o["base"]!.GetValue<double>(), frac = o["rotaryFraction"]!.GetValue<double>();
        return xPos
            ? PE.XPos(b, pairing, frac, scaling, o["gamma"]!.GetValue<double>(), o["scaleBase"]!.GetValue<double>())
            : PE.Rotary(b, pairing, frac, scaling);
    }

    [TestMethod]
    [DataRow("rope_interleaved")]
    [DataRow("rope_rotatehalf_fraction")]
    [DataRow("rope_linear")]
    [DataRow("rope_ntk")]
    [DataRow("xpos_interleaved")]
    [DataRow("xpos_rotatehalf_fraction")]
    [DataRow("rope_yarn")]
    [DataRow("rope_dynamic_yarn")]
    [DataRow("rope_dynamic_ntk")]
    [DataRow("rope_dynamic_linear")]
    public void MatchesPyTorchGolden(string name)
    {
        var c = Case(name);
        int b = Int(c, "B"), h = Int(c, "H"), t = Int(c, "T"), dh = Int(c, "dh");
        var scheme = FromFixtureOptions(c["options"]!.AsObject(), name.StartsWith("xpos", StringComparison.Ordinal));
        var module = scheme.CreateModule(new PositionModuleShape(h * dh, h, 1, 4), seed: 0); // MaxTokens 4 < T: tables must grow
        var q = Floats(c, "q");
        var k = Floats(c, "k");
        module.ForwardQueryKey(0, q, k, Batch(b, t, Ints(c, "lengths")), h, dh);
        AreClose(Floats(c, "out_q"), q, 2e-6, name + " q");
        AreClose(Floats(c, "out_k"), k, 2e-6, name + " k");
    }

    [TestMethod]
    public void HandWorkedRotation()
    {
        // dh = 4, base 10000, Interleaved: pair 0 turns 1 rad per position, pair 1 turns 10000^(-2/4) = 0.01 rad.
        // At t = 2: pair 0 (1, 0) -> (cos 2, sin 2); pair 1 (0, 1) -> (-sin 0.02, cos 0.02). Position 0 is untouched.
        var module = PE.Rotary().CreateModule(new PositionModuleShape(4, 1, 1, 3), 0);
        float[] q = [1, 2, 3, 4, 0, 0, 0, 0, 1, 0, 0, 1];
        float[] k = (float[])q.Clone();
        module.ForwardQueryKey(0, q, k, Batch(1, 3, 3), 1, 4);
        float[] expected = [1, 2, 3, 4, 0, 0, 0, 0, MathF.Cos(2), MathF.Sin(2), -MathF.Sin(0.02f), MathF.Cos(0.02f)];
        AreClose(expected, q, 1e-6, "q");
        AreClose(expected, k, 1e-6, "k");

        // RotateHalf with rotaryFraction 0.5 of dh 4: only dims (0, 1) form the single pair, dims 2, 3 pass through.
        var half = PE.Rotary(pairing: RotaryPairing.RotateHalf, rotaryFraction: 0.5).CreateModule(new PositionModuleShape(4, 1, 1, 2), 0);
        float[] x = [0, 0, 0, 0, 1, 0, 5, 6];
        float[] y = (float[])x.Clone();
        half.ForwardQueryKey(0, x, y, Batch(1, 2, 2), 1, 4);
        AreClose([0, 0, 0, 0, MathF.Cos(1), MathF.Sin(1), 5, 6], x, 1e-6, "rotate-half fraction");
    }

    [TestMethod]
    public void InspectionAnglesMatchTheRotation()
    {
        // Angles(t, i) = t * 10000^(-2i/dh) (pairs i over dh = 8); Linear(4) divides positions by 4.
        var angles = PE.Rotary().Angles(3, 8);
        Assert.HasCount(3 * 4, angles);
        Assert.AreEqual(2 * Math.Pow(10000, -2.0 / 8), angles[(2 * 4) + 1], 1e-7);
        var linear = PE.Rotary(scaling: RotaryScaling.Linear(4)).Angles(9, 8);
        Assert.AreEqual(angles[(2 * 4) + 1], linear[(8 * 4) + 1], 1e-7);
        // NTK-aware with factor 16 on r = 8: base' = 10000 * 16^(8/6); the last pair's frequency is base'^(-6/8) = 10000^(-6/8) / 16.
        var ntk = PE.Rotary(scaling: RotaryScaling.NtkAware(16)).Angles(2, 8);
        Assert.AreEqual(Math.Pow(10000, -6.0 / 8) / 16, ntk[4 + 3], 1e-9);
        Assert.AreEqual(1.0, ntk[4], 1e-7, "the fastest pair is unchanged by NTK scaling");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ScoresDependOnlyOnRelativePosition(bool xPos)
    {
        // The same q vector at position i and k vector at j give the same score for every i with i - j fixed.
        const int T = 40, dh = 8;
        var rng = new Random(3);
        var qv = Randn(rng, dh);
        var kv = Randn(rng, dh);
        MLComponents.PositionEncoding scheme = xPos ? PE.XPos(scaleBase: 16) : PE.Rotary(pairing: RotaryPairing.RotateHalf);
        var module = scheme.CreateModule(new PositionModuleShape(dh, 1, 1, T), 0);
        var q = new float[T * dh];
        var k = new float[T * dh];
        for (int t = 0; t < T; t++)
        {
            qv.CopyTo(q, t * dh);
            kv.CopyTo(k, t * dh);
        }
        module.ForwardQueryKey(0, q, k, Batch(1, T, T), 1, dh);
        double Score(int i, int j) => Dot(q.AsSpan(i * dh, dh).ToArray(), k.AsSpan(j * dh, dh).ToArray(), dh);
        foreach (int delta in new[] { -7, 0, 3, 12 })
        {
            int i0 = Math.Max(0, delta);
            double s0 = Score(i0, i0 - delta);
            for (int i = i0 + 1; i - delta < T && i < T; i++)
                Assert.AreEqual(s0, Score(i, i - delta), 1e-4 * (1 + Math.Abs(s0)), $"delta {delta}, i {i}");
        }
        if (xPos)
        {
            // The decay really acts: score at distance 12 differs from plain RoPE's.
            var plain = PE.Rotary().CreateModule(new PositionModuleShape(dh, 1, 1, T), 0);
            var pq = new float[T * dh];
            var pk = new float[T * dh];
            for (int t = 0; t < T; t++)
            {
                qv.CopyTo(pq, t * dh);
                kv.CopyTo(pk, t * dh);
            }
            plain.ForwardQueryKey(0, pq, pk, Batch(1, T, T), 1, dh);
            double rope = Dot(pq.AsSpan(20 * dh, dh).ToArray(), pk.AsSpan(8 * dh, dh).ToArray(), dh);
            Assert.IsGreaterThan(1e-3, Math.Abs(rope - Score(20, 8)));
        }
    }

    [TestMethod]
    public void XPosScoresDoNotDependOnPaddingOrCentring()
    {
        // Sequence 0 has real length 10 and sequence 1 real length 4; the same q/k rows at positions (3, 1) give
        // the same score in both although they are centred differently.
        const int T = 10, dh = 4;
        var rng = new Random(5);
        var q = Randn(rng, 2 * T * dh);
        var k = Randn(rng, 2 * T * dh);
        Array.Copy(q, 0, q, T * dh, T * dh);
        Array.Copy(k, 0, k, T * dh, T * dh);
        var module = PE.XPos(scaleBase: 2).CreateModule(new PositionModuleShape(dh, 1, 1, T), 0);
        module.ForwardQueryKey(0, q, k, Batch(2, T, 10, 4), 1, dh);
        double s0 = Dot(q.AsSpan(3 * dh, dh).ToArray(), k.AsSpan(1 * dh, dh).ToArray(), dh);
        double s1 = Dot(q.AsSpan((T + 3) * dh, dh).ToArray(), k.AsSpan((T + 1) * dh, dh).ToArray(), dh);
        Assert.AreEqual(s0, s1, 1e-5);
        Assert.AreNotEqual(q[3 * dh], q[(T + 3) * dh], "the rows themselves are scaled differently");
    }

    [TestMethod]
    [DataRow("rope")]
    [DataRow("rope-half-fraction")]
    [DataRow("xpos")]
    public void BackwardMatchesFiniteDifferences(string which)
    {
        MLComponents.PositionEncoding scheme = which switch
        {
            "rope" => PE.Rotary(),
            "rope-half-fraction" => PE.Rotary(@base: 50, pairing: RotaryPairing.RotateHalf, rotaryFraction: 0.5, scaling: RotaryScaling.Linear(3)),
            _ => PE.XPos(scaleBase: 3),
        };
        var module = scheme.CreateModule(new PositionModuleShape(16, 2, 1, 7), 0);
        CheckQueryKey(module, Batch(2, 7, 7, 4), 2, 8);
    }

    [TestMethod]
    public void LargeBatchUsesThreadsAndStaysExact()
    {
        // Above the parallel threshold the result must equal the serial per-head application bit for bit.
        const int B = 4, H = 4, T = 64, dh = 32;
        var rng = new Random(9);
        var q = Randn(rng, B * H * T * dh);
        var k = Randn(rng, B * H * T * dh);
        var big = PE.XPos().CreateModule(new PositionModuleShape(H * dh, H, 1, T), 0);
        var q1 = (float[])q.Clone();
        var k1 = (float[])k.Clone();
        big.ForwardQueryKey(0, q1, k1, Batch(B, T, 64, 50, 30, 1), H, dh);
        for (int b = 0; b < B; b++)
        {
            var qb = q.AsSpan(b * H * T * dh, H * T * dh).ToArray();
            var kb = k.AsSpan(b * H * T * dh, H * T * dh).ToArray();
            big.ForwardQueryKey(0, qb, kb, Batch(1, T, new[] { 64, 50, 30, 1 }[b]), H, dh);
            CollectionAssert.AreEqual(q1.AsSpan(b * H * T * dh, H * T * dh).ToArray(), qb);
            CollectionAssert.AreEqual(k1.AsSpan(b * H * T * dh, H * T * dh).ToArray(), kb);
        }
    }

    [TestMethod]
    public void OptionsAreValidatedByName()
    {
        Assert.AreEqual("rotaryFraction", Assert.ThrowsExactly<ArgumentException>(() => PE.Rotary(rotaryFraction: 0)).ParamName);
        Assert.AreEqual("rotaryFraction", Assert.ThrowsExactly<ArgumentException>(() => PE.Rotary(rotaryFraction: 1.5)).ParamName);
        Assert.AreEqual("base", Assert.ThrowsExactly<ArgumentException>(() => PE.Rotary(@base: 1)).ParamName);
        Assert.AreEqual("scaling.factor", Assert.ThrowsExactly<ArgumentException>(() => RotaryScaling.Linear(0)).ParamName);
        Assert.AreEqual("scaling.factor", Assert.ThrowsExactly<ArgumentException>(() => RotaryScaling.NtkAware(0.5)).ParamName);
        Assert.AreEqual("scaleBase", Assert.ThrowsExactly<ArgumentException>(() => PE.XPos(scaleBase: 0)).ParamName);
        Assert.AreEqual("gamma", Assert.ThrowsExactly<ArgumentException>(() => PE.XPos(gamma: -1)).ParamName);
        // 0.2 of 8 dims is 1 dim: not even one pair.
        var e = Assert.ThrowsExactly<ArgumentException>(() => PE.Rotary(rotaryFraction: 0.2).CreateModule(new PositionModuleShape(16, 2, 1, 4), 0));
        Assert.AreEqual("rotaryFraction", e.ParamName);
    }

    [TestMethod]
    public void JsonRoundTrips()
    {
        RoundTrips(PE.Rotary());
        RoundTrips(PE.Rotary(500, RotaryPairing.RotateHalf, 0.25, RotaryScaling.NtkAware(8)));
        RoundTrips(PE.Rotary(scaling: RotaryScaling.Linear(2.5)));
        RoundTrips(PE.XPos(100, RotaryPairing.RotateHalf, 0.5, RotaryScaling.Linear(2), gamma: 0.1, scaleBase: 64));
        var back = (RotaryEncoding)PE.FromJson(PE.Rotary(77, RotaryPairing.RotateHalf, 0.5, RotaryScaling.NtkAware(3)).ToJson());
        Assert.AreEqual(77, back.Base);
        Assert.AreEqual(RotaryPairing.RotateHalf, back.Pairing);
        Assert.AreEqual(0.5, back.RotaryFraction);
        Assert.AreEqual(RotaryScaling.NtkAware(3), back.Scaling);
        var bad = new JsonObject { ["kind"] = "rope", ["pairing"] = "diagonal" };
        Assert.AreEqual("pairing", Assert.ThrowsExactly<ArgumentException>(() => PE.FromJson(bad)).ParamName);
        Assert.AreEqual("json", Assert.ThrowsExactly<ArgumentException>(() => PE.FromJson(new JsonObject { ["kind"] = "wavelet" })).ParamName);
    }
}
