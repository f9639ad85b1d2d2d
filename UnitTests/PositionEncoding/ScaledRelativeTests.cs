using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class ScaledRelativeTests
{
    [TestMethod]
    [DataRow("scaled_shared")]
    [DataRow("scaled_per_layer_split")]
    public void MatchesPyTorchGolden(string name)
    {
        var c = Case(name);
        var o = c["options"]!.AsObject();
        int b = Int(c, "B"), h = Int(c, "H"), t = Int(c, "T"), dh = Int(c, "dh");
        var scheme = PE.ScaledRelative(o["width"]!.GetValue<int>(), o["base"]!.GetValue<double>(),
            o["layout"]!.GetValue<string>() == "split" ? SinusoidalLayout.Split : SinusoidalLayout.Interleaved, o["perLayer"]!.GetValue<bool>());
        var module = scheme.CreateModule(new PositionModuleShape(h * dh, h, Int(c, "layers"), t), 0);
        LoadParameters(module, c);
        var lengths = Ints(c, "lengths");
        var logits = Floats(c, "logits");
        module.ForwardLogits(Int(c, "layer"), new float[b * h * t * dh], logits, new PositionBatch(b, t, lengths), h, dh, 0.5f);
        AreClose(Floats(c, "out"), logits, 1e-5, name);
        AreClose(Floats(c, "distances0"), ScaledRelativeEncoding.Distances(t, lengths[0]), 1e-6, "distances");
        AreClose(Floats(c, "encodings0"), scheme.Encodings(t, lengths[0]), 1e-5, "encodings");
    }

    [TestMethod]
    public void HandWorkedDistancesAndEncodings()
    {
        // N = 4: d(1,3) = |1-3| + (1+3)/4 = 3; d(0,1) = 1 + 1/4 = 1.25 but d(2,3) = 1 + 5/4 = 2.25 (the (i+j)/N term
        // tells absolute place); d(2,2) = 4/4 = 1. Width 2 has the single frequency 1: enc(d) = [sin d, cos d].
        Assert.AreEqual(3, ScaledRelativeEncoding.Distance(1, 3, 4));
        Assert.AreEqual(1.25, ScaledRelativeEncoding.Distance(0, 1, 4));
        Assert.AreEqual(2.25, ScaledRelativeEncoding.Distance(2, 3, 4));
        Assert.AreEqual(1, ScaledRelativeEncoding.Distance(2, 2, 4));
        var enc = PE.ScaledRelative(width: 2).Encodings(4, 4);
        AreClose([MathF.Sin(3), MathF.Cos(3)], enc.AsSpan(((1 * 4) + 3) * 2, 2).ToArray(), 1e-6, "enc(1,3)");
        AreClose([MathF.Sin(2.25f), MathF.Cos(2.25f)], enc.AsSpan(((2 * 4) + 3) * 2, 2).ToArray(), 1e-6, "enc(2,3)");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void BackwardMatchesFiniteDifferences(bool perLayer)
    {
        var module = PE.ScaledRelative(width: 6, perLayer: perLayer).CreateModule(new PositionModuleShape(8, 2, 2, 7), 2);
        CheckLogits(module, new PositionBatch(2, 7, [7, 4]), 2, 4, layer: 1);
    }

    [TestMethod]
    public void BiasInspectionIsWhatTheHookAdds()
    {
        var module = PE.ScaledRelative().CreateModule(new PositionModuleShape(8, 2, 1, 6), 3);
        var logits = new float[2 * 6 * 6];
        module.ForwardLogits(0, new float[2 * 6 * 4], logits, new PositionBatch(1, 6, [5]), 2, 4, 1);
        CollectionAssert.AreEqual(logits, ((IRelativeBiasSource)module).Bias(6, 5));
    }

    [TestMethod]
    public void OptionsAndJson()
    {
        Assert.AreEqual("width", Assert.ThrowsExactly<ArgumentException>(() => PE.ScaledRelative(width: 5)).ParamName);
        Assert.AreEqual("base", Assert.ThrowsExactly<ArgumentException>(() => PE.ScaledRelative(@base: 1)).ParamName);
        Assert.AreEqual("initStd", Assert.ThrowsExactly<ArgumentException>(() => PE.ScaledRelative(initStd: 0)).ParamName);
        RoundTrips(PE.ScaledRelative());
        RoundTrips(PE.ScaledRelative(8, 100, SinusoidalLayout.Split, true, 0.1));
        var back = (ScaledRelativeEncoding)PE.FromJson(PE.ScaledRelative(8, 100, SinusoidalLayout.Split, true, 0.1).ToJson());
        Assert.AreEqual((8, 100.0, SinusoidalLayout.Split, true, 0.1), (back.Width, back.Base, back.Layout, back.PerLayer, back.InitStd));
    }
}
