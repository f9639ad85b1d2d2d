using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

/// <summary>The scaled scheme's embedding form, P_i = p_i + PE(2i/N): golden values, hand values, padding, options.</summary>
[TestClass]
public sealed class ScaledEmbeddingTests
{
    private static readonly Lazy<JsonObject> Golden = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "position", "scaled_embedding.json")))!.AsObject());

    private static ScaledRelativeEncoding Embedding(double @base = 10000, SinusoidalLayout layout = SinusoidalLayout.Interleaved) =>
        PE.ScaledRelative(@base: @base, layout: layout, form: ScaledForm.Embedding);

    private static double MaxError(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
        return worst;
    }

    [TestMethod]
    [DataRow("interleaved_d8")]
    [DataRow("split_d12_base100")]
    public void MatchesNumpyGolden(string name)
    {
        var c = Golden.Value[name]!.AsObject();
        var o = c["options"]!.AsObject();
        int b = Int(c, "B"), t = Int(c, "T"), d = Int(c, "D");
        var lengths = Ints(c, "lengths");
        var scheme = Embedding(o["base"]!.GetValue<double>(), o["layout"]!.GetValue<string>() == "split" ? SinusoidalLayout.Split : SinusoidalLayout.Interleaved);
        var module = scheme.CreateModule(new PositionModuleShape(d, 2, 2, t), 0);
        Assert.IsTrue(module.HasEmbeddingHook);
        Assert.IsFalse(module.HasLogitHook || module.HasQueryKeyHook || module.HasValueHook, "the embedding form only embeds");
        Assert.IsEmpty(module.Parameters);
        var x = new float[b * t * d];
        module.ForwardEmbeddings(Floats(c, "tok"), x, new PositionBatch(b, t, lengths), d);
        double hookError = MaxError(Floats(c, "out"), x);
        var tables = Floats(c, "tables");
        double tableError = 0;
        for (int s = 0; s < b; s++)
            tableError = Math.Max(tableError, MaxError(tables.AsSpan(s * t * d, t * d).ToArray(), scheme.Embeddings(t, lengths[s], d)));
        double diagonalError = MaxError(Floats(c, "diagonal0"),
            [.. Enumerable.Range(0, lengths[0]).Select(i => (float)ScaledRelativeEncoding.DiagonalPosition(i, lengths[0]))]);
        Console.WriteLine($"{name}: max |error| hook {hookError:E2}, tables {tableError:E2}, d_ii {diagonalError:E2}");
        // |values| stay below 4 (two sines/cosines plus p), so float32 rounding is below 5e-7.
        Assert.IsLessThan(1e-6, hookError, "hook output");
        Assert.IsLessThan(1e-6, tableError, "inspection tables");
        Assert.IsLessThan(1e-7, diagonalError, "d_ii");
    }

    [TestMethod]
    public void HandWorkedValues()
    {
        // 1-based i: the first of N = 4 tokens sits at d = 2/4, the last at 2, whatever N.
        Assert.AreEqual(0.5, ScaledRelativeEncoding.DiagonalPosition(0, 4));
        Assert.AreEqual(2.0, ScaledRelativeEncoding.DiagonalPosition(3, 4));
        Assert.AreEqual(2.0, ScaledRelativeEncoding.DiagonalPosition(9, 10));
        // D = 2, base 10000: p_t = [sin t, cos t]; PE(x)_0 = sin x + cos(x 10000^(1/2)) (k = 0: the cosine's exponent
        // (k-1)/D = -1/2 makes its frequency 100), PE(x)_1 = sin(x / 100) + cos x.
        var table = Embedding().Embeddings(5, 4, 2);
        double x0 = 0.5, x2 = 1.5;
        AreClose([(float)(0 + Math.Sin(x0) + Math.Cos(100 * x0)), (float)(1 + Math.Sin(x0 / 100) + Math.Cos(x0))], table[0..2], 1e-6, "token 1 of 4");
        AreClose([(float)(Math.Sin(2) + Math.Sin(x2) + Math.Cos(100 * x2)), (float)(Math.Cos(2) + Math.Sin(x2 / 100) + Math.Cos(x2))], table[4..6], 1e-6, "token 3 of 4");
        // Row 4 is padding (i = 5 > N): p alone, the sinusoidal scheme's row.
        CollectionAssert.AreEqual(PE.Sinusoidal().Encodings(5, 2)[8..10], table[8..10], "padded row");
    }

    [TestMethod]
    public void BiasFormIsSymmetricButNotDirectionBlind_EmbeddingFormGivesEveryPositionItsOwnVector()
    {
        // Bias form: d(i,j) = d(j,i), yet from one query i the keys i+k and i-k differ by 2k/N (here 2*2/8 = 0.5).
        Assert.AreEqual(ScaledRelativeEncoding.Distance(2, 5, 8), ScaledRelativeEncoding.Distance(5, 2, 8));
        Assert.AreEqual(0.5, ScaledRelativeEncoding.Distance(4, 6, 8) - ScaledRelativeEncoding.Distance(4, 2, 8), 1e-12);
        // Embedding form: no two positions of a sequence share a vector.
        var table = Embedding().Embeddings(8, 8, 8);
        for (int a = 0; a < 8; a++)
            for (int b = a + 1; b < 8; b++)
                CollectionAssert.AreNotEqual(table[(a * 8)..((a + 1) * 8)], table[(b * 8)..((b + 1) * 8)], $"positions {a} and {b}");
    }

    [TestMethod]
    public void PaddingNeverChangesARealTokensEncoding()
    {
        const int d = 8;
        var rng = new Random(5);
        int[] lengths = [7, 3, 1, 5];
        var module = Embedding().CreateModule(new PositionModuleShape(d, 2, 1, 12), 0);
        foreach (int padded in (int[])[7, 9, 12])
        {
            var tok = Randn(rng, lengths.Length * padded * d);
            var x = new float[tok.Length];
            module.ForwardEmbeddings(tok, x, new PositionBatch(lengths.Length, padded, lengths), d);
            for (int b = 0; b < lengths.Length; b++)
            {
                // The same sequence alone, unpadded, through a fresh module.
                int n = lengths[b];
                var alone = new float[n * d];
                Embedding().CreateModule(new PositionModuleShape(d, 2, 1, n), 0)
                    .ForwardEmbeddings(tok.AsSpan(b * padded * d, n * d).ToArray(), alone, new PositionBatch(1, n, [n]), d);
                CollectionAssert.AreEqual(alone, x.AsSpan(b * padded * d, n * d).ToArray(), $"sequence {b} (N {n}) padded to {padded}");
            }
        }
        // N is the real length, not the padded one: the same 3 tokens padded to 9 differ from 9 real tokens' first 3.
        CollectionAssert.AreNotEqual(Embedding().Embeddings(9, 9, d)[..(3 * d)], Embedding().Embeddings(9, 3, d)[..(3 * d)]);
    }

    [TestMethod]
    public void InspectionIsWhatTheHookAdds_AndBackwardPassesTheGradientThrough()
    {
        const int d = 6, t = 5;
        var module = Embedding().CreateModule(new PositionModuleShape(d, 3, 1, t), 0);
        var x = new float[2 * t * d];
        module.ForwardEmbeddings(new float[2 * t * d], x, new PositionBatch(2, t, [5, 2]), d);
        CollectionAssert.AreEqual(Embedding().Embeddings(t, 5, d), x[..(t * d)]);
        CollectionAssert.AreEqual(Embedding().Embeddings(t, 2, d), x[(t * d)..]);
        var source = (IAbsolutePositionSource)module;
        Assert.AreEqual(d, source.EncodingWidth);
        CollectionAssert.AreEqual(Embedding().Embeddings(4, 4, d), source.Encodings(4));
        var dx = Randn(new Random(3), 2 * t * d);
        var dtok = new float[dx.Length];
        module.BackwardEmbeddings(dx, dtok, new PositionBatch(2, t, [5, 2]), d);
        CollectionAssert.AreEqual(dx, dtok, "x = tok + P: dtok = dx");
    }

    [TestMethod]
    public void FormOption_SavesOnlyWhenNotTheDefault_AndOldJsonLoadsAsTheBiasForm()
    {
        var embedding = PE.ScaledRelative(8, 100, SinusoidalLayout.Split, form: ScaledForm.Embedding);
        Assert.AreEqual("embedding", embedding.ToJson()["form"]!.GetValue<string>());
        var back = (ScaledRelativeEncoding)PE.FromJson(embedding.ToJson());
        Assert.AreEqual((ScaledForm.Embedding, 100.0, SinusoidalLayout.Split), (back.Form, back.Base, back.Layout));
        Assert.AreEqual("scaled", back.Kind);
        // A bias-form scheme writes exactly the options it wrote before the option existed...
        Assert.AreEqual("""{"kind":"scaled","width":16,"base":10000,"layout":"interleaved","perLayer":false,"initStd":0.02}""", PE.ScaledRelative().ToJson().ToJsonString());
        // ... and such JSON (every file saved before) loads as the bias form.
        var old = (ScaledRelativeEncoding)PE.FromJson(JsonNode.Parse("""{"kind":"scaled","width":8,"base":100,"layout":"split","perLayer":true,"initStd":0.1}""")!.AsObject());
        Assert.AreEqual(ScaledForm.Bias, old.Form);
        Assert.IsInstanceOfType<IRelativeBiasSource>(old.CreateModule(new PositionModuleShape(8, 2, 2, 4), 0));
        Assert.AreEqual("form", Assert.ThrowsExactly<ArgumentException>(() => PE.FromJson(JsonNode.Parse("""{"kind":"scaled","form":"diagonal"}""")!.AsObject())).ParamName);
        Assert.AreEqual("form", Assert.ThrowsExactly<ArgumentException>(() => PE.ScaledRelative(form: (ScaledForm)7)).ParamName);
        Assert.AreEqual("perLayer", Assert.ThrowsExactly<ArgumentException>(() => PE.ScaledRelative(perLayer: true, form: ScaledForm.Embedding)).ParamName);
        Assert.AreEqual("modelDimension", Assert.ThrowsExactly<ArgumentException>(() => Embedding().CreateModule(new PositionModuleShape(9, 1, 1, 4), 0)).ParamName);
    }

    [TestMethod]
    public void NamesOfferTheEmbeddingForm()
    {
        Assert.AreEqual(11, PE.Names.Count);
        CollectionAssert.IsSubsetOf(PE.Kinds.ToList(), PE.Names.ToList());
        var scheme = (ScaledRelativeEncoding)PE.FromName("scaled-embedding");
        Assert.AreEqual(PE.ScaledRelative(form: ScaledForm.Embedding).ToJson().ToJsonString(), scheme.ToJson().ToJsonString());
        Assert.AreEqual(ScaledForm.Bias, ((ScaledRelativeEncoding)PE.FromName("scaled")).Form);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => PE.FromName("scaled-diagonal")).Message, "scaled|scaled-embedding|shaw");
    }
}
