using MLComponents.Text;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;

namespace MLComponents.UnitTests.Featurisers;

[TestClass]
public sealed class TokenizeToIdsTests
{
    // Counts: a 3, b 2, c 1 -> ids a 3, b 4, c 5 (most frequent first after the reserved 0..2).
    private static readonly string[] Train = ["b a a", "c a b"];

    private static TokenizeToIdsTransformer Fit(MLContext ml, int maxTokens = 256, bool lowerCase = true, int minCount = 1,
        int maxVocabularySize = 50_000, bool addClsToken = false, params string[] train) =>
        ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens, lowerCase, minCount, maxVocabularySize, addClsToken)
            .Fit(Texts(ml, train.Length == 0 ? Train : train));

    private static List<int[]> TokenIds(MLContext ml, ITransformer t, params string?[] texts) => Vectors<int>(t.Transform(Texts(ml, texts)), "Tokens");

    [TestMethod]
    public void Vocabulary_IsLearnedFromTheData_MostFrequentFirst()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, t.Vocabulary.Words.ToArray());
        Assert.AreEqual(6, t.Vocabulary.Size);
        var ids = TokenIds(ml, t, "a b c", "c zebra a", "B");
        CollectionAssert.AreEqual(new[] { 3, 4, 5 }, ids[0]);
        CollectionAssert.AreEqual(new[] { 5, Vocabulary.UnknownId, 3 }, ids[1], "unknown words map to id 1");
        CollectionAssert.AreEqual(new[] { 4 }, ids[2], "lower-cased by default");
        Assert.IsInstanceOfType<VectorDataViewType>(t.GetOutputSchema(Texts(ml, "x").Schema)["Tokens"].Type);
    }

    [TestMethod]
    public void MinCount_DropsRareWords()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, minCount: 2);
        CollectionAssert.AreEqual(new[] { "a", "b" }, t.Vocabulary.Words.ToArray());
        CollectionAssert.AreEqual(new[] { 3, 4, 1 }, TokenIds(ml, t, "a b c")[0]);
    }

    [TestMethod]
    public void MaxVocabularySize_KeepsTheMostFrequent()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, maxVocabularySize: 1);
        CollectionAssert.AreEqual(new[] { "a" }, t.Vocabulary.Words.ToArray());
        Assert.AreEqual(4, t.Vocabulary.Size);
        CollectionAssert.AreEqual(new[] { 3, 1, 1 }, TokenIds(ml, t, "a b c")[0]);
    }

    [TestMethod]
    public void Truncation_KeepsTheFirstMaxTokens_ClsCountsTowardIt()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, maxTokens: 3);
        CollectionAssert.AreEqual(new[] { 5, 4, 3 }, TokenIds(ml, t, "c b a b c")[0]);
        var cls = Fit(ml, maxTokens: 3, addClsToken: true);
        CollectionAssert.AreEqual(new[] { Vocabulary.ClsId, 5, 4 }, TokenIds(ml, cls, "c b a b c")[0]);
        CollectionAssert.AreEqual(new[] { Vocabulary.ClsId, 3 }, cls.GetIds("a"));
    }

    [TestMethod]
    public void LowerCase_False_KeepsCaseDistinct()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, lowerCase: false, train: ["A a a", "b"]);
        CollectionAssert.AreEqual(new[] { "a", "A", "b" }, t.Vocabulary.Words.ToArray());
        CollectionAssert.AreEqual(new[] { 4, 3, 1 }, TokenIds(ml, t, "A a B")[0]);
        var lower = Fit(ml, lowerCase: true, train: ["A a a", "b"]);
        CollectionAssert.AreEqual(new[] { 3, 3, 4 }, TokenIds(ml, lower, "A a B")[0]);
    }

    [TestMethod]
    public void EmptyText_GivesAnEmptyVector_OrJustCls()
    {
        var ml = new MLContext(seed: 1);
        Assert.AreEqual(0, TokenIds(ml, Fit(ml), "", "   ")[1].Length);
        Assert.AreEqual(0, TokenIds(ml, Fit(ml), "")[0].Length);
        CollectionAssert.AreEqual(new[] { Vocabulary.ClsId }, TokenIds(ml, Fit(ml, addClsToken: true), "")[0]);
    }

    [TestMethod]
    public void NullText_ThrowsNamingColumnAndRow_AtTransformAndAtFit()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TokenIds(ml, t, "a", "b", null));
        StringAssert.Contains(e.Message, "'Text'");
        StringAssert.Contains(e.Message, "row 2");
        var f = Assert.ThrowsExactly<InvalidDataException>(() =>
            ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(Texts(ml, "a", null)));
        StringAssert.Contains(f.Message, "'Text'");
        StringAssert.Contains(f.Message, "row 1");
    }

    [TestMethod]
    public void WrongColumnType_IsASchemaErrorNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.Transforms.Text.TokenizeToIds("T", "Tokens").Fit(Ids(ml, [1, 2])));
        StringAssert.Contains(e.Message, "Tokens");
    }

    [TestMethod]
    public void SaveAndReload_GivesIdenticalIdsAndVocabulary()
    {
        var ml = new MLContext(seed: 1);
        var data = Texts(ml, "The cat sat on the mat.", "the dog's bone, the cat's toy", "a cat", "");
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 5, addClsToken: true).Fit(data);
        var test = Texts(ml, "the cat and THE unknown dog sat", "", "mat. mat. mat.");
        var loaded = RoundTrip(model, data.Schema);
        AllEqual(Vectors<int>(model.Transform(test), "Tokens"), Vectors<int>(loaded.Transform(test), "Tokens"), "ids");
        var reloaded = (TokenizeToIdsTransformer)loaded;
        CollectionAssert.AreEqual(model.Vocabulary.Words.ToArray(), reloaded.Vocabulary.Words.ToArray());
        Assert.AreEqual(5, reloaded.MaxTokens);
        Assert.IsTrue(reloaded.AddClsToken);
    }
}
