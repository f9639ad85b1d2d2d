using MLComponents.Numerics;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;
using Scheme = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.Featurisers;

[TestClass]
public sealed class PositionFeaturiserTests
{
    private static readonly int[][] Rows = [[5, 6, 7], [], [3], [9, 9, 9, 9, 9]];

    private static List<float[]> Run(MLContext ml, IEstimator<ITransformer> estimator, out ITransformer model)
    {
        var data = Ids(ml, Rows);
        model = estimator.Fit(data);
        return Vectors<float>(model.Transform(data), "F");
    }

    [TestMethod]
    public void Sinusoidal_Encodings_EqualTheSchemeTable_AndHandValuesAtPosition1()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.Sinusoidal();
        var rows = Run(ml, ml.Transforms.PositionEncoding.Encodings("F", "Tokens", scheme, dimension: 4), out var model);
        for (int r = 0; r < Rows.Length; r++) CollectionAssert.AreEqual(scheme.Encodings(Rows[r].Length, 4), rows[r], $"row {r}");
        // D = 4, base 10000: omega_0 = 1, omega_1 = 10000^(-2/4) = 0.01; interleaved [sin, cos, sin, cos].
        float[] position1 = rows[0][4..8];
        AreClose([(float)Math.Sin(1), (float)Math.Cos(1), (float)Math.Sin(0.01), (float)Math.Cos(0.01)], position1, 1e-7, "position 1");
        AreClose([0, 1, 0, 1], rows[0][0..4], 0, "position 0");
        Assert.AreEqual(4, ((PositionFeaturiserTransformer)model).RowWidth);
    }

    [TestMethod]
    public void Learned_Encodings_AreTheSeededInitialTable_AndSurviveReload()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.Learned(maxPositions: 8);
        var rows = Run(ml, ml.Transforms.PositionEncoding.Encodings("F", "Tokens", scheme, dimension: 6, seed: 42), out var model);
        var module = (IAbsolutePositionSource)scheme.CreateModule(new PositionModuleShape(6, 1, 1, 1), 42);
        for (int r = 0; r < Rows.Length; r++) CollectionAssert.AreEqual(module.Encodings(Rows[r].Length), rows[r], $"row {r}");
        var other = Run(ml, ml.Transforms.PositionEncoding.Encodings("F", "Tokens", scheme, dimension: 6, seed: 43), out _);
        CollectionAssert.AreNotEqual(rows[0], other[0], "another seed gives another table");
        var data = Ids(ml, Rows);
        AllEqual(rows, Vectors<float>(RoundTrip(model, data.Schema).Transform(data), "F"), "reloaded");
    }

    [TestMethod]
    public void Learned_RowsPastTheTable_FailNamingColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.PositionEncoding.Encodings("F", "Tokens", Scheme.Learned(maxPositions: 4), dimension: 4).Fit(Ids(ml, [1]));
        var e = MLNetErrors.ThrownByRow<InvalidDataException>(() => Vectors<float>(model.Transform(Ids(ml, [1], [1, 2, 3, 4, 5])), "F"));
        StringAssert.Contains(e.Message, "'Tokens', row 1");
        StringAssert.Contains(e.Message, "maxPositions");
    }

    [TestMethod]
    public void Rotary_Rotations_AreCosSinOfTheSchemeAngles()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.Rotary(rotaryFraction: 0.5);
        var rows = Run(ml, ml.Transforms.PositionEncoding.Rotations("F", "Tokens", scheme, dimension: 8), out var model);
        Assert.AreEqual(4, ((PositionFeaturiserTransformer)model).RowWidth, "half of 8 dims rotated: 2 pairs");
        var angles = scheme.Angles(5, 8);
        for (int n = 0; n < angles.Length; n++)
        {
            Assert.AreEqual(Math.Cos(angles[n]), rows[3][2 * n], 1e-7);
            Assert.AreEqual(Math.Sin(angles[n]), rows[3][(2 * n) + 1], 1e-7);
        }
        // Pair 0 turns by t radians: at t = 2, (cos 2, sin 2).
        AreClose([(float)Math.Cos(2), (float)Math.Sin(2)], rows[0][8..10], 1e-7, "t = 2, pair 0");
    }

    [TestMethod]
    public void Alibi_RelativeBias_EqualsTheSchemeBias_AndHandValues()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.ALiBi(AlibiForm.Symmetric);
        var rows = Run(ml, ml.Transforms.PositionEncoding.RelativeBias("F", "Tokens", scheme, heads: 2), out _);
        CollectionAssert.AreEqual(scheme.Bias(2, 3), rows[0]);
        // H = 2: slopes 2^-4 and 2^-8; bias(h, i, j) = -slope_h |i - j|.
        Assert.AreEqual(-2 * Math.Pow(2, -4), rows[0][2], 1e-9, "head 0, i 0, j 2");
        Assert.AreEqual(-1 * Math.Pow(2, -8), rows[0][9 + 3], 1e-9, "head 1, i 1, j 0");
        Assert.AreEqual(0, rows[1].Length);
    }

    [TestMethod]
    public void T5_RelativeBias_IsTheSeededModuleBias_AndSurvivesReload()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.T5Bias(numBuckets: 8, maxDistance: 16);
        var rows = Run(ml, ml.Transforms.PositionEncoding.RelativeBias("F", "Tokens", scheme, heads: 2, seed: 7), out var model);
        var module = (IRelativeBiasSource)scheme.CreateModule(new PositionModuleShape(128, 2, 1, 1), 7);
        for (int r = 0; r < Rows.Length; r++) CollectionAssert.AreEqual(module.Bias(Rows[r].Length, Rows[r].Length), rows[r], $"row {r}");
        var data = Ids(ml, Rows);
        AllEqual(rows, Vectors<float>(RoundTrip(model, data.Schema).Transform(data), "F"), "reloaded");
    }

    [TestMethod]
    public void Fire_RelativeBias_SurvivesReload()
    {
        var ml = new MLContext(seed: 1);
        var rows = Run(ml, ml.Transforms.PositionEncoding.RelativeBias("F", "Tokens", Scheme.Fire(hidden: 4), heads: 2), out var model);
        Assert.AreEqual(2 * 25, rows[3].Length);
        var data = Ids(ml, Rows);
        AllEqual(rows, Vectors<float>(RoundTrip(model, data.Schema).Transform(data), "F"), "reloaded");
    }

    [TestMethod]
    public void RelativeDistances_MatchTheSchemes()
    {
        var ml = new MLContext(seed: 1);
        var scaled = Run(ml, ml.Transforms.PositionEncoding.RelativeDistances("F", "Tokens", Scheme.ScaledRelative()), out _);
        CollectionAssert.AreEqual(ScaledRelativeEncoding.Distances(3, 3), scaled[0]);
        // d(i, j) = |i - j| + (i + j)/N: for N = 3, d(0, 1) = 1 + 1/3 and d(2, 2) = 4/3.
        Assert.AreEqual(1 + (1 / 3.0), scaled[0][1], 1e-6);
        Assert.AreEqual(4 / 3.0, scaled[0][8], 1e-6);

        var shawScheme = Scheme.ShawRelative(clip: 2);
        var shaw = Run(ml, ml.Transforms.PositionEncoding.RelativeDistances("F", "Tokens", shawScheme), out _);
        CollectionAssert.AreEqual(shawScheme.DistanceIndices(5).Select(v => (float)v).ToArray(), shaw[3]);
        Assert.AreEqual(4, shaw[3][4], "i 0, j 4: clipped to +2, index 2 + 2");
        Assert.AreEqual(0, shaw[3][20], "i 4, j 0: clipped to -2, index 0");

        var t5 = Scheme.T5Bias(numBuckets: 8, maxDistance: 16);
        var buckets = Run(ml, ml.Transforms.PositionEncoding.RelativeDistances("F", "Tokens", t5), out _);
        CollectionAssert.AreEqual(t5.BucketMatrix(5).Select(v => (float)v).ToArray(), buckets[3]);
    }

    [TestMethod]
    public void Scaled_RelativeEncodings_AreTheSchemeEncodings()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.ScaledRelative(width: 4);
        var rows = Run(ml, ml.Transforms.PositionEncoding.RelativeEncodings("F", "Tokens", scheme), out _);
        CollectionAssert.AreEqual(scheme.Encodings(3, 3), rows[0]);
        Assert.AreEqual(3 * 3 * 4, rows[0].Length);
        // (i 0, j 1), N = 3: d = 4/3, first pair (omega 1) = sin d, cos d.
        AreClose([(float)Math.Sin(4 / 3.0), (float)Math.Cos(4 / 3.0)], rows[0][4..6], 1e-6, "enc(d(0,1))");
    }

    [TestMethod]
    public void ScaledEmbedding_Encodings_AreTheSchemeRowsForEachRowsOwnLength_AndSurviveReload()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.ScaledRelative(form: ScaledForm.Embedding);
        var rows = Run(ml, ml.Transforms.PositionEncoding.Encodings("F", "Tokens", scheme, dimension: 4), out var model);
        for (int r = 0; r < Rows.Length; r++)
            CollectionAssert.AreEqual(scheme.Embeddings(Rows[r].Length, Rows[r].Length, 4), rows[r], $"row {r}: N is the row's own length");
        // The row [3] has N = 1: its one token sits at d = 2/1 = 2. D = 4, base 10000: p_0 = [0, 1, 0, 1]; PE(2)_k has sine
        // frequencies 10000^(-k/4) = 1, 0.1, 0.01, 0.001 and cosine frequencies 10000^(-(k-1)/4) = 10, 1, 0.1, 0.01.
        AreClose([(float)(Math.Sin(2) + Math.Cos(20)), (float)(1 + Math.Sin(0.2) + Math.Cos(2)),
            (float)(Math.Sin(0.02) + Math.Cos(0.2)), (float)(1 + Math.Sin(0.002) + Math.Cos(0.02))], rows[2], 1e-6, "one token");
        // The third token sits at d = 6/3 = 2 in a row of 3 tokens and at 6/5 in a row of 5.
        CollectionAssert.AreNotEqual(rows[0][8..12], rows[3][8..12], "the same position in rows of other lengths differs");
        Assert.AreEqual(4, ((PositionFeaturiserTransformer)model).RowWidth);
        var data = Ids(ml, Rows);
        AllEqual(rows, Vectors<float>(RoundTrip(model, data.Schema).Transform(data), "F"), "reloaded");
        // The pairwise features belong to the bias form.
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.RelativeDistances("F", "Tokens", scheme));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.RelativeEncodings("F", "Tokens", scheme));
    }

    [TestMethod]
    public void UnsupportedFeature_IsRejectedNamingTheScheme()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.Encodings("F", "Tokens", Scheme.ALiBi()));
        StringAssert.Contains(e.Message, "'alibi'");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.RelativeBias("F", "Tokens", Scheme.Sinusoidal()));
        var s = Assert.ThrowsExactly<SchemaException>(() =>
            ml.Transforms.PositionEncoding.Encodings("F", "Text", Scheme.Sinusoidal()).Fit(Texts(ml, "a")));
        StringAssert.Contains(s.Message, "Text");
    }
}
