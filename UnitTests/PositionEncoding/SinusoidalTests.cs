using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class SinusoidalTests
{
    [TestMethod]
    public void MatchesPyTorchGoldenAdd()
    {
        var c = Case("sinusoidal_add");
        int b = Int(c, "B"), t = Int(c, "T"), d = Int(c, "D");
        var scheme = PE.Sinusoidal();
        var module = scheme.CreateModule(new PositionModuleShape(d, 2, 1, 2), 0);
        Assert.AreEqual(d, module.TokenEmbeddingWidth(d));
        var x = new float[b * t * d];
        module.ForwardEmbeddings(Floats(c, "tok"), x, new PositionBatch(b, t, Ints(c, "lengths")), d);
        AreClose(Floats(c, "x"), x, 2e-6, "x");
        AreClose(Floats(c, "pe"), scheme.Encodings(t, d), 2e-6, "inspection table");
        AreClose(Floats(c, "pe"), ((IAbsolutePositionSource)module).Encodings(t), 2e-6, "module inspection");
    }

    [TestMethod]
    public void MatchesPyTorchGoldenConcatSplitScaled()
    {
        var c = Case("sinusoidal_concat_split");
        int b = Int(c, "B"), t = Int(c, "T"), d = Int(c, "D");
        var scheme = PE.Sinusoidal(100, PositionCombine.Concat, 4, SinusoidalLayout.Split, 0.5);
        var module = scheme.CreateModule(new PositionModuleShape(d, 2, 1, t), 0);
        Assert.AreEqual(6, module.TokenEmbeddingWidth(d));
        var x = new float[b * t * d];
        module.ForwardEmbeddings(Floats(c, "tok"), x, new PositionBatch(b, t, Ints(c, "lengths")), d);
        AreClose(Floats(c, "x"), x, 2e-6, "x");
    }

    [TestMethod]
    public void HandWorkedValues()
    {
        // Width 4, base 10000: omega_0 = 1, omega_1 = 10000^(-2/4) = 0.01. Position 3, Interleaved:
        // [sin 3, cos 3, sin 0.03, cos 0.03]; Split: [sin 3, sin 0.03, cos 3, cos 0.03].
        var inter = PE.Sinusoidal().Encodings(4, 4);
        AreClose([MathF.Sin(3), MathF.Cos(3), MathF.Sin(0.03f), MathF.Cos(0.03f)], inter.AsSpan(12, 4).ToArray(), 1e-6, "interleaved");
        var split = PE.Sinusoidal(layout: SinusoidalLayout.Split, scale: 2).Encodings(4, 4);
        AreClose([2 * MathF.Sin(3), 2 * MathF.Sin(0.03f), 2 * MathF.Cos(3), 2 * MathF.Cos(0.03f)], split.AsSpan(12, 4).ToArray(), 1e-6, "split");
        // Position 0 is [0, 1, 0, 1].
        AreClose([0, 1, 0, 1], inter.AsSpan(0, 4).ToArray(), 0, "position 0");
    }

    [TestMethod]
    [DataRow(SinusoidalLayout.Interleaved)]
    [DataRow(SinusoidalLayout.Split)]
    public void ShiftIsAFixedLinearMap(SinusoidalLayout layout)
    {
        // PE(pos + k) = M_k PE(pos) with M_k a rotation per frequency built from PE(k) alone:
        // [sin(a+b), cos(a+b)] = [[cos b, sin b], [-sin b, cos b]] [sin a, cos a].
        const int W = 16, T = 60;
        var pe = PE.Sinusoidal(layout: layout).Encodings(T, W);
        int half = W / 2;
        (int s, int c) Dims(int m) => layout == SinusoidalLayout.Interleaved ? (2 * m, (2 * m) + 1) : (m, half + m);
        foreach (int k in new[] { 1, 7, 23 })
            for (int pos = 0; pos + k < T; pos++)
                for (int m = 0; m < half; m++)
                {
                    var (si, ci) = Dims(m);
                    double sinB = pe[(k * W) + si], cosB = pe[(k * W) + ci];
                    double sinA = pe[(pos * W) + si], cosA = pe[(pos * W) + ci];
                    Assert.AreEqual(pe[((pos + k) * W) + si], (cosB * sinA) + (sinB * cosA), 2e-5, $"k {k} pos {pos} m {m} sin");
                    Assert.AreEqual(pe[((pos + k) * W) + ci], (-sinB * sinA) + (cosB * cosA), 2e-5, $"k {k} pos {pos} m {m} cos");
                }
    }

    [TestMethod]
    [DataRow(PositionCombine.Add)]
    [DataRow(PositionCombine.Concat)]
    public void BackwardMatchesFiniteDifferences(PositionCombine combine)
    {
        var scheme = combine == PositionCombine.Add ? PE.Sinusoidal() : PE.Sinusoidal(combine: PositionCombine.Concat, concatWidth: 4);
        var module = scheme.CreateModule(new PositionModuleShape(10, 2, 1, 6), 0);
        CheckEmbeddings(module, new PositionBatch(2, 6, [6, 2]), 10);
    }

    [TestMethod]
    public void OptionsAreValidatedByName()
    {
        Assert.AreEqual("concatWidth", Assert.ThrowsExactly<ArgumentException>(() => PE.Sinusoidal(combine: PositionCombine.Concat, concatWidth: 3)).ParamName);
        Assert.AreEqual("concatWidth", Assert.ThrowsExactly<ArgumentException>(() => PE.Sinusoidal(concatWidth: 4)).ParamName);
        Assert.AreEqual("scale", Assert.ThrowsExactly<ArgumentException>(() => PE.Sinusoidal(scale: 0)).ParamName);
        Assert.AreEqual("base", Assert.ThrowsExactly<ArgumentException>(() => PE.Sinusoidal(@base: 0.5)).ParamName);
        var wide = PE.Sinusoidal(combine: PositionCombine.Concat, concatWidth: 8);
        Assert.AreEqual("concatWidth", Assert.ThrowsExactly<ArgumentException>(() => wide.CreateModule(new PositionModuleShape(8, 2, 1, 4), 0)).ParamName);
        Assert.AreEqual(16, PE.Sinusoidal(combine: PositionCombine.Concat).CreateModule(new PositionModuleShape(32, 2, 1, 4), 0).TokenEmbeddingWidth(32));
    }

    [TestMethod]
    public void JsonRoundTrips()
    {
        RoundTrips(PE.Sinusoidal());
        RoundTrips(PE.Sinusoidal(500, PositionCombine.Concat, 6, SinusoidalLayout.Split, 0.25));
        RoundTrips(PE.None());
        var back = (SinusoidalEncoding)PE.FromJson(PE.Sinusoidal(500, PositionCombine.Concat, 6, SinusoidalLayout.Split, 0.25).ToJson());
        Assert.AreEqual((500.0, PositionCombine.Concat, 6, SinusoidalLayout.Split, 0.25), (back.Base, back.Combine, back.ConcatWidth, back.Layout, back.Scale));
    }

    [TestMethod]
    public void NoneHasNoHooksAndCopiesEmbeddings()
    {
        var module = PE.None().CreateModule(new PositionModuleShape(4, 2, 1, 3), 0);
        Assert.IsFalse(module.HasEmbeddingHook || module.HasQueryKeyHook || module.HasLogitHook || module.HasValueHook);
        Assert.IsEmpty(module.Parameters);
        Assert.AreEqual("none", PE.None().Kind);
    }
}
