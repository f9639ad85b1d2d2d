using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;
using Scheme = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.Featurisers;

[TestClass]
public sealed class EmbedTokensPoolTests
{
    [TestMethod]
    public void HashedVectors_AreDeterministicPerSeedAndId_AndStandardNormal()
    {
        CollectionAssert.AreEqual(HashedTokenEmbedding.Get(5, 17, 64), HashedTokenEmbedding.Get(5, 17, 64));
        CollectionAssert.AreNotEqual(HashedTokenEmbedding.Get(5, 17, 64), HashedTokenEmbedding.Get(5, 18, 64), "ids differ");
        CollectionAssert.AreNotEqual(HashedTokenEmbedding.Get(5, 17, 64), HashedTokenEmbedding.Get(6, 17, 64), "seeds differ");
        // A narrower vector is a prefix of a wider one (entries depend on (seed, id, j) only).
        CollectionAssert.AreEqual(HashedTokenEmbedding.Get(5, 17, 64)[..10], HashedTokenEmbedding.Get(5, 17, 10));

        double sum = 0, sumSq = 0, cross = 0;
        int n = 0;
        for (int id = 0; id < 2000; id++)
        {
            var v = HashedTokenEmbedding.Get(3, id, 32);
            var w = HashedTokenEmbedding.Get(3, id + 1, 32);
            for (int j = 0; j < v.Length; j++)
            {
                sum += v[j];
                sumSq += v[j] * v[j];
                cross += v[j] * w[j];
                n++;
            }
        }
        // 64000 draws: the mean's standard error is 0.004, the variance's about 0.006.
        Assert.AreEqual(0, sum / n, 0.02, "mean");
        Assert.AreEqual(1, sumSq / n, 0.03, "variance");
        Assert.AreEqual(0, cross / n, 0.02, "neighbouring ids are uncorrelated");
    }

    [TestMethod]
    public void None_GivesTheHashedTokenVectors()
    {
        var ml = new MLContext(seed: 1);
        var data = Ids(ml, [4, 9, 4], []);
        var model = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.None(), dimension: 6, seed: 11).Fit(data);
        var rows = Vectors<float>(model.Transform(data), "E");
        CollectionAssert.AreEqual(HashedTokenEmbedding.Get(11, 4, 6).Concat(HashedTokenEmbedding.Get(11, 9, 6)).Concat(HashedTokenEmbedding.Get(11, 4, 6)).ToArray(), rows[0]);
        Assert.AreEqual(0, rows[1].Length);
    }

    [TestMethod]
    public void Rotate_WithRotary_TurnsEachPairByTheSchemeAngle()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.Rotary(@base: 100);
        var data = Ids(ml, [4, 4, 4]);
        var model = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", scheme, dimension: 4, seed: 3).Fit(data);
        Assert.AreEqual(EmbedCombine.Rotate, model.Combine, "rotary defaults to Rotate");
        var row = Vectors<float>(model.Transform(data), "E")[0];
        var e = HashedTokenEmbedding.Get(3, 4, 4);
        var angles = scheme.Angles(3, 4); // [3, 2]
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 2; i++)
            {
                double a = angles[(t * 2) + i], x = e[2 * i], y = e[(2 * i) + 1];
                Assert.AreEqual((Math.Cos(a) * x) - (Math.Sin(a) * y), row[(t * 4) + (2 * i)], 1e-5, $"t {t} pair {i} first");
                Assert.AreEqual((Math.Sin(a) * x) + (Math.Cos(a) * y), row[(t * 4) + (2 * i) + 1], 1e-5, $"t {t} pair {i} second");
            }
        CollectionAssert.AreEqual(e, row[..4], "position 0 is not turned");
        // Pair 0 turns 1 radian per position (omega_0 = 1): at t = 1 the first pair is e rotated by 1.
        Assert.AreEqual((Math.Cos(1) * e[0]) - (Math.Sin(1) * e[1]), row[4], 1e-5);
    }

    [TestMethod]
    public void Rotate_WithSinusoidal_TurnsByTheTableAngles_LikeInterleavedRopeOfTheSameBase()
    {
        var ml = new MLContext(seed: 1);
        var data = Ids(ml, [3, 1, 4, 1, 5]);
        var sinusoidal = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.Sinusoidal(@base: 50), dimension: 8, seed: 4).Fit(data);
        var rope = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.Rotary(@base: 50), dimension: 8, seed: 4).Fit(data);
        Assert.AreEqual(EmbedCombine.Rotate, sinusoidal.Combine);
        AreClose(Vectors<float>(rope.Transform(data), "E")[0], Vectors<float>(sinusoidal.Transform(data), "E")[0], 1e-5, "same angles t base^(-2m/D)");
        var norms = Vectors<float>(sinusoidal.Transform(data), "E")[0].Chunk(8).Select(r => Math.Sqrt(r.Sum(v => v * v))).ToArray();
        Assert.AreEqual(norms[1], norms[3], 1e-5, "token 1 at positions 1 and 3: rotation keeps the length");
    }

    [TestMethod]
    public void Add_And_Concat_WithSinusoidal_JoinTheSchemeTable()
    {
        var ml = new MLContext(seed: 1);
        var scheme = Scheme.Sinusoidal();
        var data = Ids(ml, [7, 8]);
        var e7 = HashedTokenEmbedding.Get(2, 7, 4);
        var e8 = HashedTokenEmbedding.Get(2, 8, 4);
        var table = scheme.Encodings(2, 4);

        var add = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", scheme, dimension: 4, combine: EmbedCombine.Add, seed: 2).Fit(data);
        var added = Vectors<float>(add.Transform(data), "E")[0];
        float[] expectedAdd = [.. e7.Select((v, j) => v + table[j]), .. e8.Select((v, j) => v + table[4 + j])];
        CollectionAssert.AreEqual(expectedAdd, added);

        var concat = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", scheme, dimension: 4, combine: EmbedCombine.Concat, seed: 2).Fit(data);
        Assert.AreEqual(8, concat.RowWidth);
        CollectionAssert.AreEqual(e7.Concat(table[..4]).Concat(e8).Concat(table[4..]).ToArray(), Vectors<float>(concat.Transform(data), "E")[0]);
    }

    [TestMethod]
    public void Seeds_MakeEmbeddingsRepeatable_AndDistinct()
    {
        var rowsA = EmbedWith(new MLContext(seed: 5), seed: null);
        var rowsB = EmbedWith(new MLContext(seed: 5), seed: null);
        CollectionAssert.AreEqual(rowsA, rowsB, "same context seed, same draws");
        CollectionAssert.AreEqual(EmbedWith(new MLContext(), 9), EmbedWith(new MLContext(), 9), "explicit seed");
        CollectionAssert.AreNotEqual(EmbedWith(new MLContext(), 9), EmbedWith(new MLContext(), 10), "other seed");
    }

    private static float[] EmbedWith(MLContext ml, int? seed)
    {
        var data = Ids(ml, [1, 2, 3]);
        return Vectors<float>(ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.Rotary(), dimension: 8, seed: seed).Fit(data).Transform(data), "E")[0];
    }

    [TestMethod]
    public void InvalidCombinations_AreRejected()
    {
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.Learned(), combine: EmbedCombine.Rotate));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.Rotary(), combine: EmbedCombine.Add));
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.ALiBi()));
        StringAssert.Contains(e.Message, "'alibi'");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.None(), dimension: 5));
    }

    [TestMethod]
    public void PoolModes_MatchHandComputedValues()
    {
        float[] rows = [1, 5, 3, -1, 2, 2];
        var dst = new float[2];
        PoolTransformer.PoolRows(rows, 2, PoolMode.Mean, dst);
        CollectionAssert.AreEqual(new[] { 2f, 2f }, dst);
        PoolTransformer.PoolRows(rows, 2, PoolMode.Max, dst);
        CollectionAssert.AreEqual(new[] { 3f, 5f }, dst);
        PoolTransformer.PoolRows(rows, 2, PoolMode.First, dst);
        CollectionAssert.AreEqual(new[] { 1f, 5f }, dst);
        PoolTransformer.PoolRows([], 2, PoolMode.Max, dst);
        CollectionAssert.AreEqual(new[] { 0f, 0f }, dst, "no rows: zeros");
    }

    [TestMethod]
    public void Pool_InAPipeline_ReducesEmbedTokensRows_AndNeedsRowWidth()
    {
        var ml = new MLContext(seed: 1);
        var data = Ids(ml, [4, 9, 4], [], [2]);
        var model = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", Scheme.Sinusoidal(), dimension: 4, seed: 1)
            .Append(ml.Transforms.PositionEncoding.Pool("P", "E", PoolMode.Max)).Fit(data);
        var output = model.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4), output.Schema["P"].Type);
        var embedded = Vectors<float>(output, "E");
        var pooled = Vectors<float>(output, "P");
        for (int r = 0; r < 3; r++)
            for (int j = 0; j < 4; j++)
            {
                float expected = embedded[r].Length == 0 ? 0 : Enumerable.Range(0, embedded[r].Length / 4).Max(t => embedded[r][(t * 4) + j]);
                Assert.AreEqual(expected, pooled[r][j], $"row {r} dim {j}");
            }
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.Transforms.PositionEncoding.Pool("P", "Tokens").Fit(data));
        StringAssert.Contains(e.Message, "Tokens");
    }

    [TestMethod]
    public void EmbedAndPool_SaveAndReload_GiveIdenticalOutputs()
    {
        var ml = new MLContext(seed: 1);
        var data = Ids(ml, [4, 9, 4, 1, 0], [], [2], [7, 7, 7, 7, 7, 7, 7, 7]);
        foreach (var (scheme, combine) in new (Scheme, EmbedCombine?)[]
        {
            (Scheme.Rotary(), null), (Scheme.XPos(), null), (Scheme.Learned(maxPositions: 16), EmbedCombine.Add),
            (Scheme.Sinusoidal(), EmbedCombine.Concat), (Scheme.None(), null),
        })
        {
            var model = ml.Transforms.PositionEncoding.EmbedTokens("E", "Tokens", scheme, dimension: 8, combine: combine)
                .Append(ml.Transforms.PositionEncoding.Pool("P", "E")).Fit(data);
            var loaded = RoundTrip(model, data.Schema);
            AllEqual(Vectors<float>(model.Transform(data), "E"), Vectors<float>(loaded.Transform(data), "E"), $"{scheme.Kind} rows");
            AllEqual(Vectors<float>(model.Transform(data), "P"), Vectors<float>(loaded.Transform(data), "P"), $"{scheme.Kind} pooled");
        }
    }
}
