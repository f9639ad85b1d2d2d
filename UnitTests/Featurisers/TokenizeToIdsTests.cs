using MLComponents.Text;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;

namespace MLComponents.UnitTests.Featurisers;

[TestClass]
public sealed class TokenizeToIdsTests
{
    // Counts: a 3, b 2, c 1 -> ids a 4, b 5, c 6 (most frequent first after the reserved pad 0, unk 1, cls 2, sep 3).
    private static readonly string[] Train = ["b a a", "c a b"];

    private static TokenizeToIdsTransformer Fit(MLContext ml, int maxTokens = 256, bool lowerCase = true, int minCount = 1,
        int maxVocabularySize = 50_000, bool addClsToken = false, params string[] train) =>
        ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens, lowerCase, minCount, maxVocabularySize, addClsToken)
            .Fit(Texts(ml, train.Length == 0 ? Train : train));

    private static List<int[]> TokenIds(MLContext ml, ITransformer t, params string?[] texts) => Vectors<int>(t.Transform(Texts(ml, texts)), "Tokens");

    private static string[] Words(TokenizeToIdsTransformer t) => [.. t.TokenTexts.Skip(Vocabulary.FirstTokenId)];

    [TestMethod]
    public void Vocabulary_IsLearnedFromTheData_MostFrequentFirst_AfterTheReservedIds()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml);
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "<cls>", "<sep>", "a", "b", "c" }, t.TokenTexts.ToArray());
        Assert.AreEqual(7, t.VocabularySize);
        var ids = TokenIds(ml, t, "a b c", "c zebra a", "B");
        CollectionAssert.AreEqual(new[] { 4, 5, 6 }, ids[0]);
        CollectionAssert.AreEqual(new[] { 6, Vocabulary.UnknownId, 4 }, ids[1], "unknown words map to id 1");
        CollectionAssert.AreEqual(new[] { 5 }, ids[2], "lower-cased by default");
        var column = t.GetOutputSchema(Texts(ml, "x").Schema)["Tokens"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int32), column.Type, "variable-length Int32 vector");
    }

    [TestMethod]
    public void MinCount_DropsRareWords()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, minCount: 2);
        CollectionAssert.AreEqual(new[] { "a", "b" }, Words(t));
        CollectionAssert.AreEqual(new[] { 4, 5, 1 }, TokenIds(ml, t, "a b c")[0]);
    }

    [TestMethod]
    public void MaxVocabularySize_KeepsTheMostFrequent()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, maxVocabularySize: 1);
        CollectionAssert.AreEqual(new[] { "a" }, Words(t));
        Assert.AreEqual(5, t.VocabularySize);
        CollectionAssert.AreEqual(new[] { 4, 1, 1 }, TokenIds(ml, t, "a b c")[0]);
    }

    [TestMethod]
    public void Truncation_KeepsTheFirstMaxTokens_ClsCountsTowardIt()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml, maxTokens: 3);
        CollectionAssert.AreEqual(new[] { 6, 5, 4 }, TokenIds(ml, t, "c b a b c")[0]);
        var cls = Fit(ml, maxTokens: 3, addClsToken: true);
        CollectionAssert.AreEqual(new[] { Vocabulary.ClsId, 6, 5 }, TokenIds(ml, cls, "c b a b c")[0]);
        CollectionAssert.AreEqual(new[] { Vocabulary.ClsId, 4 }, cls.GetIds("a"));
    }

    [TestMethod]
    public void LowerCase_False_KeepsCaseDistinct()
    {
        var ml = new MLContext(seed: 1);
        // a 2, A 1, b 1: ties in count go to the ordinally smaller word ("A" < "b").
        var t = Fit(ml, lowerCase: false, train: ["A a a", "b"]);
        CollectionAssert.AreEqual(new[] { "a", "A", "b" }, Words(t));
        CollectionAssert.AreEqual(new[] { 5, 4, 1 }, TokenIds(ml, t, "A a B")[0]);
        var lower = Fit(ml, lowerCase: true, train: ["A a a", "b"]);
        CollectionAssert.AreEqual(new[] { 4, 4, 5 }, TokenIds(ml, lower, "A a B")[0]);
    }

    [TestMethod]
    public void EmptyText_GivesAnEmptyVector_OrJustCls()
    {
        var ml = new MLContext(seed: 1);
        Assert.IsEmpty(TokenIds(ml, Fit(ml), "", "   ")[1]);
        Assert.IsEmpty(TokenIds(ml, Fit(ml), "")[0]);
        CollectionAssert.AreEqual(new[] { Vocabulary.ClsId }, TokenIds(ml, Fit(ml, addClsToken: true), "")[0]);
    }

    [TestMethod]
    public void NullText_IsEmptyText_AtTransformAndAtFit()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml);
        CollectionAssert.AreEqual(TokenIds(ml, t, "a", "b", "")[2], TokenIds(ml, t, "a", "b", null)[2]);
        var fromNull = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(Texts(ml, "a", null));
        var fromEmpty = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(Texts(ml, "a", ""));
        CollectionAssert.AreEqual(fromEmpty.TokenTexts.ToArray(), fromNull.TokenTexts.ToArray());
    }

    [TestMethod]
    public void MissingOrMistypedColumn_IsASchemaErrorNamingIt_AtFitAndAtTransform()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.Transforms.Text.TokenizeToIds("T", "Tokens").Fit(Ids(ml, [1, 2])));
        Assert.AreEqual("Tokens", e.ColumnName);
        StringAssert.Contains(e.Message, "String");
        var missing = Assert.ThrowsExactly<SchemaException>(() => ml.Transforms.Text.TokenizeToIds("T", "Body").Fit(Texts(ml, "a")));
        Assert.AreEqual("Body", missing.ColumnName);
        StringAssert.Contains(missing.Message, "'Text'", "lists the columns there are");
        // A fitted transformer checks the schema of what it is applied to, before any row is read.
        var t = Fit(ml);
        Assert.AreEqual("Text", Assert.ThrowsExactly<SchemaException>(() => t.Transform(Ids(ml, [1]))).ColumnName);
        // An estimator chain checks shapes before fitting anything.
        var chain = ml.Transforms.Text.TokenizeToIds("T", "Text").Append(ml.Transforms.PositionEncoding.EmbedTokens("E", "NoSuchIds", MLComponents.PositionEncoding.None()));
        Assert.AreEqual("NoSuchIds", Assert.ThrowsExactly<SchemaException>(() => chain.Fit(Texts(ml, "a"))).ColumnName);
    }

    [TestMethod]
    public void SaveAndReload_ThroughMLNet_GivesIdenticalIdsAndVocabulary()
    {
        var ml = new MLContext(seed: 1);
        var data = Texts(ml, "The cat sat on the mat.", "the dog's bone, the cat's toy", "a cat", "");
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 5, addClsToken: true).Fit(data);
        var test = Texts(ml, "the cat and THE unknown dog sat", "", "mat. mat. mat.");
        var loaded = RoundTrip(model, data.Schema);
        AllEqual(Vectors<int>(model.Transform(test), "Tokens"), Vectors<int>(loaded.Transform(test), "Tokens"), "ids");
        var reloaded = (TokenizeToIdsTransformer)loaded;
        CollectionAssert.AreEqual(model.TokenTexts.ToArray(), reloaded.TokenTexts.ToArray());
        Assert.AreEqual(5, reloaded.MaxTokens);
        Assert.IsTrue(reloaded.AddClsToken);
        Assert.IsTrue(reloaded.LowerCase);
    }

    [TestMethod]
    public void Transform_IsLazy_AndComputesIdsOnlyWhenTheTokenColumnIsRead()
    {
        var ml = new MLContext(seed: 1);
        var t = Fit(ml);
        var source = new CountingRows(["a b", null, "b"]);
        var view = t.Transform(ml.Data.LoadFromEnumerable(source));
        _ = view.Schema["Tokens"];
        Assert.AreEqual(0, source.Pulled, "Transform and Schema read no data");

        // Tokenising a row reads its text: a cursor that never asks for Tokens must never read one.
        using (var cursor = view.GetRowCursor([view.Schema["Label"]]))
        {
            Assert.IsFalse(cursor.IsColumnActive(view.Schema["Tokens"]));
            while (cursor.MoveNext()) { }
        }
        Assert.AreEqual(3, source.Pulled);
        Assert.AreEqual(0, source.TextsRead, "no text read without the Tokens column");
        Assert.HasCount(3, Vectors<int>(view, "Tokens"));
        Assert.AreEqual(3, source.TextsRead, "each row's text read once when Tokens is");
    }

    /// <summary>A text row that counts reads of its text.</summary>
    public sealed class CountedTextRow
    {
        private readonly string? _text;
        private readonly CountingRows? _source;

        public CountedTextRow()
        {
        }

        internal CountedTextRow(string? text, CountingRows source)
        {
            _text = text;
            _source = source;
        }

        public string Label { get; set; } = "x";

        public string? Text
        {
            get
            {
                if (_source is not null) _source.CountTextRead();
                return _text;
            }
            set => throw new NotSupportedException();
        }
    }

    /// <summary>Yields the given texts, counting rows pulled from the source and texts read.</summary>
    public sealed class CountingRows(string?[] texts) : IEnumerable<CountedTextRow>
    {
        private int _pulled;
        private int _textsRead;

        public int Pulled => Volatile.Read(ref _pulled);

        public int TextsRead => Volatile.Read(ref _textsRead);

        internal void CountTextRead() => Interlocked.Increment(ref _textsRead);

        public IEnumerator<CountedTextRow> GetEnumerator()
        {
            foreach (var text in texts)
            {
                Interlocked.Increment(ref _pulled);
                yield return new CountedTextRow(text, this);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
