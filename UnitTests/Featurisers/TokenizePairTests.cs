using MLComponents.Text;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;

namespace MLComponents.UnitTests.Featurisers;

/// <summary>A pair of texts.</summary>
public sealed class PairTextRow
{
    public string? First { get; set; }

    public string? Second { get; set; }
}

/// <summary>TokenizeToIds with a second text column: one sequence [CLS] first [SEP] second, trimmed longest first.</summary>
[TestClass]
public sealed class TokenizePairTests
{
    private const int Cls = Vocabulary.ClsId, Sep = Vocabulary.SepId;

    // Counted over both columns: w1 4, w2 3, w3 2, w4 1, w5 1, w6 1 (w6 only in the second column) -> ids 4..9.
    private static readonly PairTextRow[] Train =
    [
        new() { First = "w1 w2 w3 w4", Second = "w1 w2 w5" },
        new() { First = "w1 w2 w3", Second = "w1 w6" },
    ];

    private static int Id(int word) => Vocabulary.FirstTokenId + word - 1;

    private static TokenizeToIdsTransformer Fit(MLContext ml, int maxTokens, bool addClsToken = true) =>
        ml.Transforms.Text.TokenizeToIds(new TokenizeToIdsOptions
        {
            OutputColumnName = "Tokens", InputColumnName = "First", SecondInputColumnName = "Second", MaxTokens = maxTokens, AddClsToken = addClsToken,
        }).Fit(ml.Data.LoadFromEnumerable(Train));

    private static List<int[]> Pairs(MLContext ml, ITransformer t, params (string First, string Second)[] rows) =>
        Vectors<int>(t.Transform(ml.Data.LoadFromEnumerable(rows.Select(r => new PairTextRow { First = r.First, Second = r.Second }).ToList())), "Tokens");

    private static string Words(params int[] words) => string.Join(' ', words.Select(w => $"w{w}"));

    [TestMethod]
    public void Layout_IsClsFirstSepSecond_WithOneVocabularyFromBothColumns()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, maxTokens: 64);
        CollectionAssert.AreEqual(new[] { "w1", "w2", "w3", "w4", "w5", "w6" }, t.TokenTexts.Skip(Vocabulary.FirstTokenId).ToArray());
        Assert.AreEqual("Second", t.SecondInputColumnName);
        var rows = Pairs(ml, t, ("w3 w1", "w6 zebra"), ("", "w2"), ("w4", ""));
        CollectionAssert.AreEqual(new[] { Cls, Id(3), Id(1), Sep, Id(6), Vocabulary.UnknownId }, rows[0], "w6 was only ever a second text");
        CollectionAssert.AreEqual(new[] { Cls, Sep, Id(2) }, rows[1], "empty first text");
        CollectionAssert.AreEqual(new[] { Cls, Id(4), Sep }, rows[2], "empty second text");
        CollectionAssert.AreEqual(rows[0], t.GetIds("w3 w1", "w6 zebra"), "GetIds gives the column's ids");

        var noCls = Fit(ml, maxTokens: 64, addClsToken: false);
        CollectionAssert.AreEqual(new[] { Id(3), Id(1), Sep, Id(6) }, Pairs(ml, noCls, ("w3 w1", "w6"))[0]);
    }

    [TestMethod]
    public void Truncation_TrimsTheLongerTextFirst_UntilBothFitAroundClsAndSep()
    {
        var ml = new MLContext(seed: 1);
        // maxTokens 8 leaves 6 ids for the two texts.
        var t = Fit(ml, maxTokens: 8);
        var rows = Pairs(ml, t,
            (Words(1, 2, 3, 4, 5), Words(6, 1)),           // 5 + 2: the first loses 1
            (Words(1, 2), Words(6, 5, 4, 3, 2, 1)),        // 2 + 6: the second loses 2
            (Words(1, 2, 3, 4), Words(6, 5, 4, 3)),        // 4 + 4: second to 3 (ties trim the second), then first to 3
            (Words(1, 2, 3, 4, 5, 6, 1, 2, 3), Words(4)),  // 9 + 1: only the first is trimmed, to 5
            (Words(1, 2), Words(3, 4)));                   // 2 + 2 fits untouched
        CollectionAssert.AreEqual(new[] { Cls, Id(1), Id(2), Id(3), Id(4), Sep, Id(6), Id(1) }, rows[0]);
        CollectionAssert.AreEqual(new[] { Cls, Id(1), Id(2), Sep, Id(6), Id(5), Id(4), Id(3) }, rows[1]);
        CollectionAssert.AreEqual(new[] { Cls, Id(1), Id(2), Id(3), Sep, Id(6), Id(5), Id(4) }, rows[2]);
        CollectionAssert.AreEqual(new[] { Cls, Id(1), Id(2), Id(3), Id(4), Id(5), Sep, Id(4) }, rows[3]);
        CollectionAssert.AreEqual(new[] { Cls, Id(1), Id(2), Sep, Id(3), Id(4) }, rows[4]);
        Assert.IsTrue(rows.All(r => r.Length <= 8));
    }

    [TestMethod]
    public void MaxTokens_MustLeaveRoomBesideTheReservedIds()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(ml, maxTokens: 2));
        StringAssert.Contains(e.Message, "maxTokens");
        // Three ids: [CLS] and [SEP] plus one text id. 2 + 1 -> 1 + 1, then the tie trims the second text: the first keeps its id.
        CollectionAssert.AreEqual(new[] { Cls, Id(1), Sep }, Pairs(ml, Fit(ml, maxTokens: 3), (Words(1, 2), Words(3)))[0]);
    }

    [TestMethod]
    public void NullSecondText_IsEmptyText_AndAMissingColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, maxTokens: 16);
        var rows = new List<PairTextRow> { new() { First = "w1", Second = "w2" }, new() { First = "w1", Second = null }, new() { First = "w1", Second = "" } };
        var ids = Vectors<int>(t.Transform(ml.Data.LoadFromEnumerable(rows)), "Tokens");
        CollectionAssert.AreEqual(ids[2], ids[1]);
        var missing = Assert.ThrowsExactly<SchemaException>(() => t.Transform(Texts(ml, "w1")));
        Assert.AreEqual("First", missing.ColumnName);
    }

    [TestMethod]
    public void SaveAndReload_KeepsThePairLayoutAndTruncation()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Train);
        var model = Fit(ml, maxTokens: 8);
        var test = ml.Data.LoadFromEnumerable(new List<PairTextRow>
        {
            new() { First = Words(1, 2, 3, 4, 5), Second = Words(6, 1) }, new() { First = "", Second = "w5 w9" }, new() { First = "W2", Second = "w3" },
        });
        var loaded = (TokenizeToIdsTransformer)RoundTrip(model, data.Schema);
        Assert.AreEqual("Second", loaded.SecondInputColumnName);
        AllEqual(Vectors<int>(model.Transform(test), "Tokens"), Vectors<int>(loaded.Transform(test), "Tokens"), "pair ids after reload");
        CollectionAssert.AreEqual(new[] { Cls, Id(1), Id(2), Id(3), Id(4), Sep, Id(6), Id(1) }, Vectors<int>(loaded.Transform(test), "Tokens")[0]);
    }
}
