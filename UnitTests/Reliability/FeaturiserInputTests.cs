using MLComponents.UnitTests.Featurisers;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;

namespace MLComponents.UnitTests.Reliability;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// The position featurisers (<c>ml.Transforms.PositionEncoding.EmbedTokens/Pool/Encodings/Rotations/RelativeBias/RelativeDistances/
/// RelativeEncodings</c>) against hostile token columns: each row has the documented size and finite values, EmbedTokens refuses a
/// negative id and every featuriser a row past <see cref="FeaturiserLimits.MaxValuesPerRow"/> (naming column, row and token count)
/// before doing the work, and options past their limits are refused naming the option.
/// </summary>
[TestClass]
public sealed class FeaturiserInputTests
{
    private const int D = 8;

    /// <summary>One featuriser: how to add it after a token column "Tokens", and its row length for T ids.</summary>
    private sealed record Featuriser(Func<MLContext, IEstimator<ITransformer>> Create, Func<long, long> Length, bool ReadsIds, string Column = "F");

    private static readonly Dictionary<string, Featuriser> All = new()
    {
        ["EmbedTokens"] = new(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "Tokens", PositionEncoding.Rotary(), dimension: D, seed: 1), t => t * D, ReadsIds: true),
        ["Pool"] = new(ml => ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", PositionEncoding.Rotary(), dimension: D, seed: 1)
            .Append(ml.Transforms.PositionEncoding.Pool("F", "E", PoolMode.Mean)), _ => D, ReadsIds: true),
        ["Encodings"] = new(ml => ml.Transforms.PositionEncoding.Encodings("F", "Tokens", PositionEncoding.Sinusoidal(), dimension: D), t => t * D, ReadsIds: false),
        ["Rotations"] = new(ml => ml.Transforms.PositionEncoding.Rotations("F", "Tokens", PositionEncoding.XPos(), dimension: D), t => t * D, ReadsIds: false),
        ["RelativeBias"] = new(ml => ml.Transforms.PositionEncoding.RelativeBias("F", "Tokens", PositionEncoding.T5Bias(), heads: 2, seed: 1), t => 2 * t * t, ReadsIds: false),
        ["RelativeDistances"] = new(ml => ml.Transforms.PositionEncoding.RelativeDistances("F", "Tokens", PositionEncoding.Fire()), t => t * t, ReadsIds: false),
        ["RelativeEncodings"] = new(ml => ml.Transforms.PositionEncoding.RelativeEncodings("F", "Tokens", PositionEncoding.ScaledRelative(width: 4)), t => t * t * 4, ReadsIds: false),
    };

    public static IEnumerable<object[]> Names => All.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> TextCases =>
        from f in All.Keys from t in new[] { "empty", "whitespace", "5 MB line", "lone surrogates", "mixed scripts" } select new object[] { f, t };

    [TestMethod]
    [DynamicData(nameof(TextCases))]
    public void HostileTextThroughTokenizeToIds_GivesRowsOfTheDocumentedSize_Finite_AndTheSameAfterReload(string featuriser, string text)
    {
        var ml = new MLContext(seed: 1);
        var f = All[featuriser];
        // Fitting the vocabulary on hostile text is TokenizeToIds' own test; here the featurisers see what it makes of it.
        var data = Texts(ml, "the cat sat", HostileText.Get(text));
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 32).Append(f.Create(ml)).Fit(Texts(ml, "the cat sat"));
        var scored = model.Transform(data);

        var ids = Vectors<int>(scored, "Tokens");
        var rows = Vectors<float>(scored, f.Column);
        for (int r = 0; r < 2; r++)
        {
            Assert.AreEqual(f.Length(ids[r].Length), rows[r].Length, $"row {r} ({ids[r].Length} ids)");
            Assert.IsTrue(rows[r].All(float.IsFinite), $"row {r} finite");
        }
        if (featuriser == "Pool" && ids[1].Length == 0) CollectionAssert.AreEqual(new float[D], rows[1], "a row without tokens pools to zeros");
        AllEqual(rows, Vectors<float>(RoundTrip(model, data.Schema).Transform(data), f.Column), "after save and load");
    }

    [TestMethod]
    [DynamicData(nameof(Names))]
    public void EmptyTokenVector_GivesAnEmptyRow_OrZerosWhenPooled(string featuriser)
    {
        var ml = new MLContext(seed: 1);
        var f = All[featuriser];
        var data = Ids(ml, [], [4, 5]);

        var rows = Vectors<float>(f.Create(ml).Fit(data).Transform(data), f.Column);

        Assert.AreEqual(f.Length(0), rows[0].Length);
        Assert.IsTrue(rows[0].All(v => v == 0), "nothing, or zeros");
        Assert.AreEqual(f.Length(2), rows[1].Length);
    }

    [TestMethod]
    [DynamicData(nameof(Names))]
    public void IdsAtIntMaxValue_AreEmbeddedLikeAnyOther(string featuriser)
    {
        var ml = new MLContext(seed: 1);
        var f = All[featuriser];
        var data = Ids(ml, [int.MaxValue, 0, int.MaxValue - 1]);

        var row = Vectors<float>(f.Create(ml).Fit(data).Transform(data), f.Column).Single();

        Assert.AreEqual(f.Length(3), row.Length);
        Assert.IsTrue(row.All(float.IsFinite));
        if (featuriser == "EmbedTokens")
        {
            // The hashed vector of an id is defined for every id: position 0's vector is the token's own (RoPE turns it by angle 0).
            CollectionAssert.AreEqual(HashedTokenEmbedding.Get(1, int.MaxValue, D), row[..D]);
        }
    }

    [TestMethod]
    [DynamicData(nameof(Names))]
    public void NegativeId_IsRefusedNamingTheRow_WhereIdsAreRead(string featuriser)
    {
        var ml = new MLContext(seed: 1);
        var f = All[featuriser];
        var data = Ids(ml, [4, 5], [6, -1, 7]);
        var scored = f.Create(ml).Fit(data).Transform(data);

        if (f.ReadsIds)
        {
            var e = MLNetErrors.ThrownByRow<InvalidDataException>(() => Vectors<float>(scored, f.Column));
            Assert.AreEqual("Column 'Tokens', row 1: token id -1 is negative.", e.Message);
        }
        else
        {
            // Position features depend on the row's length only (documented): the ids themselves are never read.
            Assert.AreEqual(f.Length(3), Vectors<float>(scored, f.Column)[1].Length);
        }
    }

    public static IEnumerable<object[]> PastLimit =>
    [
        // Each row is one token more than the per-row limit allows (2^28 values).
        ["EmbedTokens at D 65536", (Func<MLContext, IEstimator<ITransformer>>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "Tokens", PositionEncoding.Rotary(), dimension: 65_536, seed: 1)), 4097, "EmbedTokens of 4097 tokens is 268,500,992 values"],
        ["Encodings at D 65536", (Func<MLContext, IEstimator<ITransformer>>)(ml => ml.Transforms.PositionEncoding.Encodings("F", "Tokens", PositionEncoding.Sinusoidal(), dimension: 65_536)), 4097, "Encodings of 4097 tokens is 268,500,992 values"],
        ["Rotations at D 65536", (Func<MLContext, IEstimator<ITransformer>>)(ml => ml.Transforms.PositionEncoding.Rotations("F", "Tokens", PositionEncoding.Rotary(), dimension: 65_536)), 4097, "Rotations of 4097 tokens is 268,500,992 values"],
        ["RelativeBias, 2 heads", (Func<MLContext, IEstimator<ITransformer>>)(ml => ml.Transforms.PositionEncoding.RelativeBias("F", "Tokens", PositionEncoding.ALiBi(), heads: 2)), 11586, "RelativeBias of 11586 tokens is 268,470,792 values"],
        ["RelativeDistances", (Func<MLContext, IEstimator<ITransformer>>)(ml => ml.Transforms.PositionEncoding.RelativeDistances("F", "Tokens", PositionEncoding.ShawRelative())), 16385, "RelativeDistances of 16385 tokens is 268,468,225 values"],
        ["RelativeEncodings, width 16", (Func<MLContext, IEstimator<ITransformer>>)(ml => ml.Transforms.PositionEncoding.RelativeEncodings("F", "Tokens", PositionEncoding.ScaledRelative())), 4097, "RelativeEncodings of 4097 tokens is 268,566,544 values"],
    ];

    [TestMethod]
    [DynamicData(nameof(PastLimit))]
    public void RowPastTheSizeLimit_IsRefusedNamingColumnRowAndTokens_BeforeAnyWork(string what, Func<MLContext, IEstimator<ITransformer>> create, int tokens, string size)
    {
        var ml = new MLContext(seed: 1);
        var data = Ids(ml, [4], [.. Enumerable.Range(0, tokens)]);
        var scored = create(ml).Fit(data).Transform(data);

        var e = MLNetErrors.ThrownByRow<InvalidDataException>(() => Vectors<float>(scored, "F"));

        StringAssert.StartsWith(e.Message, $"Column 'Tokens', row 1: {tokens} tokens: {size}, more than the 268,435,456 a featuriser writes for one row", what);
    }

    [TestMethod]
    [DynamicData(nameof(Names))]
    public void ZeroRows_FitAndTransformToZeroRows(string featuriser)
    {
        var ml = new MLContext(seed: 1);
        var f = All[featuriser];
        var data = Ids(ml);

        var model = f.Create(ml).Fit(data);

        Assert.IsEmpty(Vectors<float>(model.Transform(data), f.Column));
        Assert.HasCount(1, Vectors<float>(RoundTrip(model, data.Schema).Transform(Ids(ml, [4])), f.Column), "and the fitted step still works after reload");
    }

    [TestMethod]
    [DynamicData(nameof(Names))]
    public void OneRowOfOneToken_GivesOnePositionsWorth(string featuriser)
    {
        var ml = new MLContext(seed: 1);
        var f = All[featuriser];
        var data = Ids(ml, [4]);

        var row = Vectors<float>(f.Create(ml).Fit(data).Transform(data), f.Column).Single();

        Assert.AreEqual(f.Length(1), row.Length);
        Assert.IsTrue(row.All(float.IsFinite));
    }

    public static IEnumerable<object[]> RefusedOptions =>
    [
        ["EmbedTokens dimension 0", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "T", PositionEncoding.Rotary(), dimension: 0)), "dimension"],
        ["EmbedTokens dimension 7", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "T", PositionEncoding.Rotary(), dimension: 7)), "dimension"],
        ["EmbedTokens dimension 65538", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "T", PositionEncoding.Rotary(), dimension: 65_538)), "dimension"],
        ["EmbedTokens dimension int.MaxValue - 1", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "T", PositionEncoding.Rotary(), dimension: int.MaxValue - 1)), "dimension"],
        ["EmbedTokens combine undefined", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "T", PositionEncoding.Rotary(), combine: (EmbedCombine)9)), "combine"],
        ["EmbedTokens relative scheme", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "T", PositionEncoding.ALiBi())), "combine"],
        ["EmbedTokens no scheme", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("F", "T", null!)), "scheme"],
        ["EmbedTokens empty output", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.EmbedTokens("", "T", PositionEncoding.Rotary())), "outputColumnName"],
        ["Pool mode undefined", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.Pool("F", "E", (PoolMode)9)), "mode"],
        ["Pool empty input", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.Pool("F", "")), "inputColumnName"],
        ["Encodings dimension 65538", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.Encodings("F", "T", PositionEncoding.Sinusoidal(), dimension: 65_538)), "dimension"],
        ["Encodings of a relative scheme", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.Encodings("F", "T", PositionEncoding.T5Bias())), "scheme"],
        ["Rotations dimension -2", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.Rotations("F", "T", PositionEncoding.Rotary(), dimension: -2)), "dimension"],
        ["Rotations of ALiBi", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.Rotations("F", "T", PositionEncoding.ALiBi())), "scheme"],
        ["RelativeBias heads 0", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.RelativeBias("F", "T", PositionEncoding.ALiBi(), heads: 0)), "heads"],
        ["RelativeBias heads 1025", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.RelativeBias("F", "T", PositionEncoding.ALiBi(), heads: 1025)), "heads"],
        ["RelativeBias heads int.MaxValue", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.RelativeBias("F", "T", PositionEncoding.ALiBi(), heads: int.MaxValue)), "heads"],
        ["RelativeDistances of RoPE", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.RelativeDistances("F", "T", PositionEncoding.Rotary())), "scheme"],
        ["RelativeEncodings of T5", (Action<MLContext>)(ml => ml.Transforms.PositionEncoding.RelativeEncodings("F", "T", PositionEncoding.T5Bias())), "scheme"],
    ];

    [TestMethod]
    [DynamicData(nameof(RefusedOptions))]
    public void OptionsPastTheirLimits_ThrowNamingTheOption(string what, Action<MLContext> create, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => create(new MLContext(seed: 1)), what);

        Assert.AreEqual(option, e.ParamName, what);
    }

    [TestMethod]
    public void OptionsAtTheirLimits_Work()
    {
        var ml = new MLContext(seed: 1);
        var data = Ids(ml, [4]);

        var widest = Vectors<float>(ml.Transforms.PositionEncoding.EmbedTokens("F", "Tokens", PositionEncoding.Rotary(), dimension: FeaturiserLimits.MaxDimension, seed: 1)
            .Fit(data).Transform(data), "F").Single();
        Assert.HasCount(65_536, widest);
        Assert.IsTrue(widest.All(float.IsFinite));
        var narrowest = Vectors<float>(ml.Transforms.PositionEncoding.EmbedTokens("F", "Tokens", PositionEncoding.Rotary(), dimension: 2, seed: 1)
            .Fit(data).Transform(data), "F").Single();
        Assert.HasCount(2, narrowest);
        var most = Vectors<float>(ml.Transforms.PositionEncoding.RelativeBias("F", "Tokens", PositionEncoding.ALiBi(), heads: FeaturiserLimits.MaxHeads)
            .Fit(data).Transform(data), "F").Single();
        Assert.HasCount(1024, most, "one bias per head for one token");
        var seeds = new[] { int.MinValue, int.MaxValue }.Select(seed => Vectors<float>(ml.Transforms.PositionEncoding.EmbedTokens("F", "Tokens", PositionEncoding.Learned(), dimension: D, seed: seed)
            .Fit(data).Transform(data), "F").Single()).ToList();
        Assert.IsTrue(seeds.All(v => v.All(float.IsFinite)) && !seeds[0].SequenceEqual(seeds[1]), "any int is a seed");
    }
}
