using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class FireTests
{
    [TestMethod]
    [DataRow("fire", 5, 2.5)]
    [DataRow("fire_wide", 20, 3.5)]
    public void MatchesPyTorchGolden(string name, int hidden, double threshold)
    {
        var c = Case(name);
        int b = Int(c, "B"), h = Int(c, "H"), t = Int(c, "T"), dh = Int(c, "dh");
        var module = PE.Fire(hidden: hidden, threshold: threshold).CreateModule(new PositionModuleShape(h * dh, h, 2, t), 0);
        LoadParameters(module, c);
        var logits = Floats(c, "logits");
        module.ForwardLogits(1, new float[b * h * t * dh], logits, new PositionBatch(b, t, Ints(c, "lengths")), h, dh, 0.5f);
        AreClose(Floats(c, "out"), logits, 1e-5, "logits");
    }

    [TestMethod]
    public void HandWorkedNormalisedDistance()
    {
        // c = 1, L = 1, N = 10. Query 2, key 5: r = 3, far right = 10-1-2 = 7: u = log 4 / log 8 = 2/3.
        // Query 2, key 0: far left = 2: u = -log 3 / log 3 = -1 (the sequence start maps to -1 from any query).
        // Query 2, key 9 (the last real token): u = log 8 / log 8 = 1. With L = 8: u(2, 5) = log 4 / log 9.
        Assert.AreEqual(2.0 / 3, FireEncoding.NormalisedDistance(2, 5, 10, 1, 1), 1e-12);
        Assert.AreEqual(-1, FireEncoding.NormalisedDistance(2, 0, 10, 1, 1), 1e-12);
        Assert.AreEqual(1, FireEncoding.NormalisedDistance(2, 9, 10, 1, 1), 1e-12);
        Assert.AreEqual(Math.Log(4) / Math.Log(9), FireEncoding.NormalisedDistance(2, 5, 10, 1, 8), 1e-12);
        Assert.AreEqual(0, FireEncoding.NormalisedDistance(4, 4, 10, 1, 1));
    }

    [TestMethod]
    [DataRow(true, 6)]
    [DataRow(false, 6)]
    [DataRow(true, 20)] // 20 = whole SIMD vectors plus a scalar tail on 8- and 16-wide machines
    public void BackwardMatchesFiniteDifferences(bool learnThreshold, int hidden)
    {
        // A central difference across a ReLU kink is wrong by design, so take the first seed whose hidden
        // pre-activations all stay 3e-3 away from 0 (a perturbation of 1e-3 moves them by less than that). The first
        // layer starts at PyTorch's bound 1 so that margin holds (at the default bound 30 a perturbation moves a
        // pre-activation 30 times as far); the backward is the same code whatever the starting values.
        var scheme = PE.Fire(hidden: hidden, threshold: 2.5, learnThreshold: learnThreshold, initC: 0.7, initScale: 1);
        var shape = new PositionModuleShape(8, 2, 1, 8);
        var batch = new PositionBatch(2, 8, [8, 5]);
        int seed = 0;
        while (!KinkFree(scheme.CreateModule(shape, seed), batch)) seed++;
        var module = scheme.CreateModule(shape, seed);
        Assert.HasCount(learnThreshold ? 6 : 5, module.Parameters);
        CheckLogits(module, batch, 2, 4);
    }

    private static bool KinkFree(PositionModule module, PositionBatch batch)
    {
        var p = module.Parameters;
        float[] w1 = p[0].Value, b1 = p[1].Value;
        double c = Math.Exp(p[4].Value[0]), l = p.Count > 5 ? p[5].Value[0] : 2.5;
        for (int b = 0; b < batch.Batch; b++)
            for (int i = 0; i < batch.Length; i++)
                for (int j = 0; j < batch.Length; j++)
                {
                    double u = FireEncoding.NormalisedDistance(i, j, batch.Lengths[b], c, l);
                    for (int k = 0; k < w1.Length; k++)
                        if (Math.Abs((w1[k] * u) + b1[k]) < 3e-3) return false;
                }
        return true;
    }

    [TestMethod]
    public void BiasInspectionIsWhatTheHookAddsAndTellsDirection()
    {
        var module = PE.Fire().CreateModule(new PositionModuleShape(8, 2, 1, 6), 3);
        var logits = new float[2 * 6 * 6];
        module.ForwardLogits(0, new float[2 * 6 * 4], logits, new PositionBatch(1, 6, [6]), 2, 4, 1);
        var bias = ((IRelativeBiasSource)module).Bias(6, 6);
        CollectionAssert.AreEqual(logits, bias);
        // Signed input: one step left and one step right of a middle query get different biases.
        Assert.AreNotEqual(bias[(2 * 6) + 1], bias[(2 * 6) + 3]);
    }

    [TestMethod]
    public void OptionsAndJson()
    {
        Assert.AreEqual("hidden", Assert.ThrowsExactly<ArgumentException>(() => PE.Fire(hidden: 0)).ParamName);
        Assert.AreEqual("threshold", Assert.ThrowsExactly<ArgumentException>(() => PE.Fire(threshold: 0)).ParamName);
        Assert.AreEqual("initC", Assert.ThrowsExactly<ArgumentException>(() => PE.Fire(initC: -1)).ParamName);
        Assert.AreEqual("initScale", Assert.ThrowsExactly<ArgumentException>(() => PE.Fire(initScale: 0)).ParamName);
        RoundTrips(PE.Fire());
        RoundTrips(PE.Fire(16, 3, false, 2, 4));
        var back = (FireEncoding)PE.FromJson(PE.Fire(16, 3, false, 2, 4).ToJson());
        Assert.AreEqual((16, 3.0, false, 2.0, 4.0), (back.Hidden, back.Threshold, back.LearnThreshold, back.InitC, back.InitScale));
        var json = PE.Fire().ToJson();
        json.Remove("initScale");
        Assert.AreEqual(FireEncoding.DefaultInitScale, ((FireEncoding)PE.FromJson(json)).InitScale);
    }

    [TestMethod]
    public void FirstLayer_StartsWithinTheInitScale()
    {
        foreach (double a in (double[])[1, 30])
        {
            var module = PE.Fire(hidden: 256, initScale: a).CreateModule(new PositionModuleShape(8, 2, 1, 6), 5);
            foreach (string name in (string[])["position.fire.w1", "position.fire.b1"])
            {
                var values = module.Parameters.Single(p => p.Name == name).Value;
                double largest = values.Max(v => Math.Abs(v));
                // 256 draws from U(-a, a): the largest magnitude is within (0.9a, a] except with probability 0.9^256.
                Assert.IsTrue(largest <= a && largest > 0.9 * a, $"{name} at initScale {a}: largest |value| {largest}");
            }
            var w2 = module.Parameters.Single(p => p.Name == "position.fire.w2").Value;
            Assert.IsTrue(w2.Max(v => Math.Abs(v)) <= 1 / Math.Sqrt(256), "w2 keeps PyTorch's bound 1/sqrt(hidden)");
        }
    }
}
