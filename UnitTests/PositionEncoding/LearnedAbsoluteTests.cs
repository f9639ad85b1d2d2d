using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class LearnedAbsoluteTests
{
    [TestMethod]
    public void MatchesPyTorchGolden()
    {
        var c = Case("learned");
        int b = Int(c, "B"), t = Int(c, "T"), d = Int(c, "D");
        var module = PE.Learned(maxPositions: 7).CreateModule(new PositionModuleShape(d, 2, 1, t), 3);
        LoadParameters(module, c);
        var x = new float[b * t * d];
        module.ForwardEmbeddings(Floats(c, "tok"), x, new PositionBatch(b, t, Ints(c, "lengths")), d);
        AreClose(Floats(c, "x"), x, 1e-7, "x");
        AreClose(Floats(c["params"]!.AsObject(), "position.learned.table"), ((IAbsolutePositionSource)module).Encodings(t), 0, "inspection rows", t * d);
    }

    [TestMethod]
    public void BackwardMatchesFiniteDifferences()
    {
        var module = PE.Learned(maxPositions: 9).CreateModule(new PositionModuleShape(6, 2, 1, 9), 1);
        CheckEmbeddings(module, new PositionBatch(3, 5, [5, 5, 2]), 6);
    }

    [TestMethod]
    public void ErrorsPastMaxPositionsNamingPositionAndLimit()
    {
        var module = PE.Learned(maxPositions: 4).CreateModule(new PositionModuleShape(2, 1, 1, 4), 0);
        module.ForwardEmbeddings(new float[8], new float[8], new PositionBatch(1, 4, [4]), 2); // exactly max is fine
        var e = Assert.ThrowsExactly<ArgumentException>(() => module.ForwardEmbeddings(new float[10], new float[10], new PositionBatch(1, 5, [5]), 2));
        StringAssert.Contains(e.Message, "Position 4");
        StringAssert.Contains(e.Message, "maxPositions = 4");
        Assert.AreEqual("maxPositions", e.ParamName);
    }

    [TestMethod]
    public void InitialisationFollowsTheOptionAndSeed()
    {
        var shape = new PositionModuleShape(8, 2, 1, 16);
        var sin = PE.Learned(16, LearnedInit.Sinusoidal).CreateModule(shape, 5);
        CollectionAssert.AreEqual(PE.Sinusoidal().Encodings(16, 8), sin.Parameters[0].Value);
        var a = PE.Learned(16).CreateModule(shape, 5).Parameters[0].Value;
        var b = PE.Learned(16).CreateModule(shape, 5).Parameters[0].Value;
        var other = PE.Learned(16).CreateModule(shape, 6).Parameters[0].Value;
        CollectionAssert.AreEqual(a, b, "same seed, same table");
        CollectionAssert.AreNotEqual(a, other);
        double var = a.Sum(v => (double)v * v) / a.Length;
        Assert.AreEqual(1.0, Math.Sqrt(var), 0.25, "default std 1, the scale of the token embeddings it is added to");
        Assert.IsFalse(PE.Learned(16).CreateModule(shape, 5).Parameters[0].ApplyWeightDecay);
    }

    [TestMethod]
    public void OptionsAndJson()
    {
        Assert.AreEqual("maxPositions", Assert.ThrowsExactly<ArgumentException>(() => PE.Learned(0)).ParamName);
        Assert.AreEqual("initStd", Assert.ThrowsExactly<ArgumentException>(() => PE.Learned(initStd: -1)).ParamName);
        RoundTrips(PE.Learned());
        RoundTrips(PE.Learned(77, LearnedInit.Sinusoidal, 0.5));
        var back = (LearnedAbsoluteEncoding)PE.FromJson(PE.Learned(77, LearnedInit.Sinusoidal, 0.5).ToJson());
        Assert.AreEqual((77, LearnedInit.Sinusoidal, 0.5), (back.MaxPositions, back.Init, back.InitStd));
    }
}
