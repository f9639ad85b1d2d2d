using Microsoft.ML.Tokenizers;
using MLComponents.MLNet;
using MLComponents.Text;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;

namespace MLComponents.UnitTests.Featurisers;

/// <summary>
/// TokenizeToIds over Microsoft.ML.Tokenizers tokenizers: the tokenizer's ids seen in training are compacted to 4, 5, ...
/// (most frequent first, ties by the smaller external id), every other id becomes the unknown id 1, and the tokenizer is
/// saved with the model when it was made through <see cref="SavedTokenizer"/>.
/// </summary>
[TestClass]
public sealed class ExternalTokenizerTests
{
    private static readonly string[] TrainTexts = ["hello world", "hello there, world", "goodbye world"];
    private static readonly string[] TestTexts = ["hello world", "zebra crossing hello", "", "world, goodbye there"];

    /// <summary>The compact ids expected for <paramref name="tokenizer"/> fitted on <paramref name="train"/>, computed from its raw ids.</summary>
    private static Dictionary<int, int> ExpectedCompaction(Tokenizer tokenizer, IEnumerable<string> train, Func<Tokenizer, string, IReadOnlyList<int>> encode)
    {
        var counts = new Dictionary<int, int>();
        foreach (var text in train)
            foreach (int id in encode(tokenizer, text)) counts[id] = counts.GetValueOrDefault(id) + 1;
        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
            .Select((kv, i) => (kv.Key, Compact: Vocabulary.FirstTokenId + i)).ToDictionary(p => p.Key, p => p.Compact);
    }

    private static int[] Expected(Dictionary<int, int> compaction, IReadOnlyList<int> external) =>
        [.. external.Select(id => compaction.TryGetValue(id, out int c) ? c : Vocabulary.UnknownId)];

    private static string[] KeyValues(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue(AnnotationKinds.KeyValues, ref values);
        return [.. values.DenseValues().Select(v => v.ToString())];
    }

    [TestMethod]
    public void Tiktoken_IdsAreCompactedToThoseSeenInTraining_UnseenBecomeUnknown_AndRoundTrip()
    {
        var ml = new MLContext(seed: 1);
        var tokenizer = SavedTokenizer.Tiktoken("cl100k_base");
        // Known cl100k_base ids: the data package really is the encoding asked for.
        CollectionAssert.AreEqual(new[] { 15339, 1917 }, tokenizer.EncodeToIds("hello world").ToArray());

        var train = Texts(ml, TrainTexts);
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer).Fit(train);
        var compaction = ExpectedCompaction(tokenizer, TrainTexts, (t, s) => t.EncodeToIds(s));
        Assert.AreEqual(Vocabulary.FirstTokenId + compaction.Count, model.VocabularySize, "reserved ids + the distinct ids seen in training");
        Assert.IsLessThan(20, model.VocabularySize, "the embedding table holds the ids the data uses, not cl100k's 100k");
        Assert.AreEqual(Vocabulary.FirstTokenId, compaction[1917], "' world' (3 times) is the most frequent id");

        var test = Texts(ml, TestTexts);
        var ids = Vectors<int>(model.Transform(test), "Tokens");
        for (int r = 0; r < TestTexts.Length; r++)
            CollectionAssert.AreEqual(Expected(compaction, tokenizer.EncodeToIds(TestTexts[r])), ids[r], $"row {r}");
        CollectionAssert.Contains(ids[1], Vocabulary.UnknownId, "'zebra crossing' holds ids never seen in training");
        Assert.IsEmpty(ids[2]);

        // KeyValues: the reserved names, then each kept id's text as the tokenizer decodes it.
        var keyValues = KeyValues(model.Transform(test).Schema["Tokens"]);
        string[] expectedTexts = [.. Vocabulary.ReservedTokens, .. compaction.OrderBy(kv => kv.Value).Select(kv => tokenizer.Decode([kv.Key]))];
        CollectionAssert.AreEqual(expectedTexts, keyValues);
        Assert.AreEqual(" world", keyValues[Vocabulary.FirstTokenId]);
        CollectionAssert.AreEqual(expectedTexts, model.TokenTexts.ToArray());

        var loaded = (TokenizeToIdsTransformer)RoundTrip(model, train.Schema);
        AllEqual(ids, Vectors<int>(loaded.Transform(test), "Tokens"), "ids after ml.Model.Save/Load");
        CollectionAssert.AreEqual(expectedTexts, KeyValues(loaded.Transform(test).Schema["Tokens"]));
        Assert.AreEqual(model.VocabularySize, loaded.VocabularySize);
    }

    [TestMethod]
    public void Bert_FromALocalVocabFile_IsStoredInTheModel_AndRoundTrips()
    {
        string dir = Directory.CreateTempSubdirectory("mlc-bert-").FullName;
        try
        {
            string vocab = Path.Combine(dir, "vocab.txt");
            // Line number = WordPiece id: [UNK] 1, the 5, cat 6, dog 7, sat 8, on 9, mat 10, ##s 11, play 12, ##ing 13, . 14.
            File.WriteAllLines(vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "on", "mat", "##s", "play", "##ing", "."]);
            var ml = new MLContext(seed: 1);
            var tokenizer = SavedTokenizer.Bert(vocab);
            var train = Texts(ml, "The cat sat on the mat.", "the dogs sat.");
            var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer, addClsToken: true).Fit(train);

            // the 3, sat 2, . 2, then the single ones by WordPiece id: cat, dog, on, mat, ##s.
            // Compact ids: the 4, sat 5, . 6, cat 7, dog 8, on 9, mat 10, ##s 11.
            Assert.AreEqual(12, model.VocabularySize);
            var test = Texts(ml, "the cats playing", "A zebra sat.");
            var ids = Vectors<int>(model.Transform(test), "Tokens");
            // cats -> cat ##s; playing -> play ##ing, never seen in training; zebra and a -> [UNK], never seen either.
            CollectionAssert.AreEqual(new[] { Vocabulary.ClsId, 4, 7, 11, Vocabulary.UnknownId, Vocabulary.UnknownId }, ids[0]);
            CollectionAssert.AreEqual(new[] { Vocabulary.ClsId, Vocabulary.UnknownId, Vocabulary.UnknownId, 5, 6 }, ids[1]);
            var texts = model.TokenTexts;
            Assert.AreEqual("the", texts[4]);
            Assert.AreEqual("sat", texts[5]);
            Assert.AreEqual(".", texts[6]);

            byte[] saved = Save(ml, model, train.Schema);
            File.Delete(vocab);   // the vocabulary travels inside the model
            var loaded = new MLContext().Model.Load(new MemoryStream(saved), out _);
            AllEqual(ids, Vectors<int>(loaded.Transform(test), "Tokens"), "ids after reload without the vocab file");
            CollectionAssert.AreEqual(texts.ToArray(), ((TokenizeToIdsTransformer)loaded).TokenTexts.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void MinCountAndMaxVocabularySize_ApplyToTokenizerIds()
    {
        var ml = new MLContext(seed: 1);
        var tokenizer = SavedTokenizer.Tiktoken("cl100k_base");
        var compaction = ExpectedCompaction(tokenizer, TrainTexts, (t, s) => t.EncodeToIds(s));
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer, maxVocabularySize: 2).Fit(Texts(ml, TrainTexts));
        Assert.AreEqual(Vocabulary.FirstTokenId + 2, model.VocabularySize);
        var kept = compaction.Where(kv => kv.Value < Vocabulary.FirstTokenId + 2).ToDictionary();
        CollectionAssert.AreEqual(Expected(kept, tokenizer.EncodeToIds("hello there, world")), Vectors<int>(model.Transform(Texts(ml, "hello there, world")), "Tokens")[0]);
        var frequent = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer, minCount: 2).Fit(Texts(ml, TrainTexts));
        // Seen at least twice: ' world' (3) and 'hello' (2).
        Assert.AreEqual(Vocabulary.FirstTokenId + 2, frequent.VocabularySize);
    }

    [TestMethod]
    public void RegisteredFactory_SavesByName_AndLoadsThroughTheFactory()
    {
        string dir = Directory.CreateTempSubdirectory("mlc-registered-").FullName;
        try
        {
            string vocab = Path.Combine(dir, "vocab.txt");
            File.WriteAllLines(vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "blue", "green"]);
            byte[] bytes = File.ReadAllBytes(vocab);
            string name = $"test-colours-{Guid.NewGuid():N}";
            SavedTokenizer.Register(name, () => BertTokenizer.Create(new MemoryStream(bytes)));
            var ml = new MLContext(seed: 1);
            var train = Texts(ml, "red blue red", "green");
            var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", SavedTokenizer.Registered(name)).Fit(train);
            var test = Texts(ml, "blue red purple green");
            // red 2, then blue (WordPiece id 6) before green (7): red 4, blue 5, green 6; purple is [UNK], never seen.
            CollectionAssert.AreEqual(new[] { 5, 4, Vocabulary.UnknownId, 6 }, Vectors<int>(model.Transform(test), "Tokens")[0]);
            var loaded = RoundTrip(model, train.Schema);
            AllEqual(Vectors<int>(model.Transform(test), "Tokens"), Vectors<int>(loaded.Transform(test), "Tokens"), "registered tokenizer after reload");
            StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => SavedTokenizer.Registered($"{name}-absent")).Message, "Register");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TokenizerNotMadeThroughSavedTokenizer_WorksInMemory_ButSaveSaysHowToMakeItSaveable()
    {
        var ml = new MLContext(seed: 1);
        var plain = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var train = Texts(ml, TrainTexts);
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", plain).Fit(train);
        Assert.AreEqual(Vocabulary.FirstTokenId, Vectors<int>(model.Transform(Texts(ml, " world")), "Tokens")[0][0], "usable in memory");
        using var stream = new MemoryStream();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.Save(model, train.Schema, stream));
        StringAssert.Contains(e.Message, "TiktokenTokenizer");
        StringAssert.Contains(e.Message, "SavedTokenizer");
    }

    private static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }
}
