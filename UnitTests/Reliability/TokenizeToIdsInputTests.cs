using System.Text;
using Microsoft.ML.Tokenizers;
using MLComponents.Text;
using MLComponents.UnitTests.Featurisers;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// <c>ml.Transforms.Text.TokenizeToIds</c> in its three forms (own word vocabulary, a Microsoft.ML.Tokenizers tokenizer, a text
/// pair) against hostile text at Fit and at Transform: the ids are exactly the first maxTokens tokens, every vocabulary saves
/// and reloads to the same ids, and a null text gives exactly the ids of an empty one.
/// </summary>
[TestClass]
public sealed class TokenizeToIdsInputTests
{
    private const int MaxTokens = 64;
    private static readonly Lazy<Tokenizer> Cl100k = new(() => SavedTokenizer.Tiktoken("cl100k_base"));

    /// <summary>The tokens the word tokenizer must produce for each class (the 5 MB line is checked by count and prefix).</summary>
    private static readonly Dictionary<string, string[]> WordTokens = new()
    {
        ["empty"] = [],
        ["whitespace"] = [],
        // A lone surrogate is not text: it reads as U+FFFD, one symbol token, so the vocabulary stays valid UTF-16 and saves as UTF-8.
        ["lone surrogates"] = ["ab", "\uFFFD", "cd", "\uFFFD", "x", "\uFFFD"],
        // Astral code points are one character; combining marks and Devanagari vowel signs stay in their word.
        ["mixed scripts"] = ["猫が好き", "مرحبا", "بالعالم", "नमस्ते", "👍", "🏽", "🇫", "🇷", "cafe\u0301", "naïve", "𠀋"],
    };

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void WordVocabulary_HostileText_GivesTheFirstMaxTokensWords_AndSavesAndReloads(string name)
    {
        string text = HostileText.Get(name);
        var ml = new MLContext(seed: 1);
        var data = Texts(ml, "the cat sat", text);

        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: MaxTokens).Fit(data);
        var ids = Vectors<int>(model.Transform(data), "Tokens");

        var words = Words(text, MaxTokens);
        if (WordTokens.TryGetValue(name, out var expected)) CollectionAssert.AreEqual(expected, words, "the tokens");
        else CollectionAssert.AreEqual(Enumerable.Range(0, MaxTokens).Select(i => $"w{i}").ToArray(), words, "the 5 MB line's first words");
        var texts = model.TokenTexts;
        CollectionAssert.AreEqual(words, ids[1].Select(id => texts[id]).ToArray(), "the first MaxTokens words, each with its own id");
        Assert.IsTrue(texts.All(IsValidUtf16), "every vocabulary entry is valid text");
        if (name == "5 MB line") Assert.AreEqual(Vocabulary.FirstTokenId + 3 + 1000, model.VocabularySize, "the cat sat + w0..w999");

        var reloaded = RoundTrip(model, data.Schema);
        AllEqual(ids, Vectors<int>(reloaded.Transform(data), "Tokens"), "after save and load");
    }

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void MicrosoftTokenizer_HostileText_GivesItsFirstMaxTokensIds_AndSavesAndReloads(string name)
    {
        string text = HostileText.Get(name);
        var ml = new MLContext(seed: 1);
        var data = Texts(ml, "the cat sat", text);
        var tokenizer = Cl100k.Value;

        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer, maxTokens: MaxTokens).Fit(data);
        var ids = Vectors<int>(model.Transform(data), "Tokens");

        // The tokenizer reads 32 characters per id kept, at least 4096 (BPE is quadratic in a pre-token's length).
        string read = text[..Math.Min(text.Length, 4096)];
        var external = tokenizer.EncodeToIds(read);
        Assert.AreEqual(Math.Min(external.Count, MaxTokens), ids[1].Length);
        // Compact ids follow training frequency; the mapping back to cl100k ids must give the tokenizer's own first ids.
        var back = ExternalIds([tokenizer.EncodeToIds("the cat sat"), external]);
        Assert.AreEqual(Vocabulary.FirstTokenId + back.Count, model.VocabularySize);
        CollectionAssert.AreEqual(external.Take(MaxTokens).ToArray(), ids[1].Select(id => back[id]).ToArray(), "cl100k's first MaxTokens ids");
        if (name is "empty") Assert.IsEmpty(ids[1]);
        if (name is "whitespace") Assert.IsNotEmpty(ids[1], "cl100k has whitespace tokens (unlike the word tokenizer)");

        var reloaded = RoundTrip(model, data.Schema);
        AllEqual(ids, Vectors<int>(reloaded.Transform(data), "Tokens"), "after save and load");
    }

    [TestMethod]
    public void MicrosoftTokenizer_FiveMegabytesWithoutASpace_ReadsABoundedPrefix_InsteadOfHoursOfBpe()
    {
        // cl100k_base's BPE is quadratic in one pre-token: 256 KB of letters takes it about a minute, 5 MB would take hours.
        string word = new('a', HostileText.FiveMegabytes);
        var ml = new MLContext(seed: 1);
        var data = Texts(ml, word);
        var tokenizer = Cl100k.Value;

        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer, maxTokens: MaxTokens).Fit(data);
        var ids = Vectors<int>(model.Transform(data), "Tokens").Single();

        var external = tokenizer.EncodeToIds(word[..4096]);
        Assert.HasCount(MaxTokens, ids);
        var back = ExternalIds([external]);
        CollectionAssert.AreEqual(external.Take(MaxTokens).ToArray(), ids.Select(id => back[id]).ToArray(), "the ids of the first 4096 characters");
    }

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void TextPair_HostileSecondText_IsTrimmedLongestFirst_AndSavesAndReloads(string name)
    {
        string text = HostileText.Get(name);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PairRow { Text = "the cat sat", Text2 = text }, new PairRow { Text = text, Text2 = text } });
        const int maxTokens = 16;

        var model = ml.Transforms.Text.TokenizeToIds(new TokenizeToIdsOptions
        {
            InputColumnName = "Text", SecondInputColumnName = "Text2", MaxTokens = maxTokens, AddClsToken = true,
        }).Fit(data);
        var ids = Vectors<int>(model.Transform(data), "Tokens");

        // Longest-first trimming depends on each side's length up to the budget only.
        var words = Words(text, maxTokens);
        var texts = model.TokenTexts;
        foreach (var (row, first) in new[] { (0, Words("the cat sat", maxTokens)), (1, words) })
        {
            // [CLS] a [SEP] b in maxTokens: the longer side loses a token until both fit (the second on a tie).
            int a = first.Count, b = words.Count;
            while (a + b > maxTokens - 2)
            {
                if (a > b) a--;
                else b--;
            }
            string[] expected = ["<cls>", .. first.Take(a), "<sep>", .. words.Take(b)];
            CollectionAssert.AreEqual(expected, ids[row].Select(id => texts[id]).ToArray(), $"row {row}");
        }
        var reloaded = RoundTrip(model, data.Schema);
        AllEqual(ids, Vectors<int>(reloaded.Transform(data), "Tokens"), "after save and load");
    }

    public static IEnumerable<object[]> NullCases =>
    [
        ["word vocabulary", "Text"], ["cl100k", "Text"], ["pair, first text", "Text"], ["pair, second text", "Text2"], ["pair with CLS, both texts", "both"],
    ];

    [TestMethod]
    [DynamicData(nameof(NullCases))]
    public void NullText_IsReadAsEmptyText_AtFitAndAtTransform(string form, string column)
    {
        // ML.NET's text type cannot tell a null string from "" once loaded (TextLoader gives an empty field the same value), so a
        // null row must give exactly what an empty row gives: the same vocabulary at Fit and the same ids at Transform.
        var ml = new MLContext(seed: 1);
        List<PairRow> Rows(string? missing) =>
        [
            new() { Text = "a b", Text2 = "c" },
            new() { Text = column is "Text" or "both" ? missing : "d", Text2 = column is "Text2" or "both" ? missing : "e" },
            new() { Text = "f g", Text2 = "h" },
        ];
        var withNull = ml.Data.LoadFromEnumerable(Rows(null));
        var withEmpty = ml.Data.LoadFromEnumerable(Rows(""));
        IEstimator<TokenizeToIdsTransformer> estimator = form switch
        {
            "cl100k" => ml.Transforms.Text.TokenizeToIds("Tokens", "Text", Cl100k.Value),
            "pair with CLS, both texts" =>
                ml.Transforms.Text.TokenizeToIds(new TokenizeToIdsOptions { InputColumnName = "Text", SecondInputColumnName = "Text2", AddClsToken = true }),
            _ when form.StartsWith("pair", StringComparison.Ordinal) =>
                ml.Transforms.Text.TokenizeToIds(new TokenizeToIdsOptions { InputColumnName = "Text", SecondInputColumnName = "Text2" }),
            _ => ml.Transforms.Text.TokenizeToIds("Tokens", "Text"),
        };

        var fromNull = estimator.Fit(withNull);
        var fromEmpty = estimator.Fit(withEmpty);

        CollectionAssert.AreEqual(fromEmpty.TokenTexts.ToArray(), fromNull.TokenTexts.ToArray(), "the same vocabulary at Fit");
        var expected = Vectors<int>(fromEmpty.Transform(withEmpty), "Tokens");
        AllEqual(expected, Vectors<int>(fromEmpty.Transform(withNull), "Tokens"), "the null row's ids at Transform");
        AllEqual(expected, Vectors<int>(RoundTrip(fromNull, withNull.Schema).Transform(withNull), "Tokens"), "after save and load");
        if (form == "word vocabulary") Assert.IsEmpty(expected[1], "no ids for no text");
    }

    [TestMethod]
    public void ZeroRows_FitTheReservedIdsOnly_AndEveryWordIsUnknown()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(Texts(ml));

        Assert.AreEqual(Vocabulary.FirstTokenId, model.VocabularySize);
        CollectionAssert.AreEqual(new[] { Vocabulary.UnknownId, Vocabulary.UnknownId }, model.GetIds("cat sat"));
        var reloaded = RoundTrip(model, Texts(ml).Schema);
        AllEqual([[Vocabulary.UnknownId, Vocabulary.UnknownId]], Vectors<int>(reloaded.Transform(Texts(ml, "cat sat")), "Tokens"), "after save and load");
    }

    [TestMethod]
    public void OneRow_FitsItsWords_MostFrequentFirst()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(Texts(ml, "b a b"));

        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "<cls>", "<sep>", "b", "a" }, model.TokenTexts.ToArray());
        CollectionAssert.AreEqual(new[] { 4, 5, 1 }, model.GetIds("b a c"));
    }

    public static IEnumerable<object[]> RefusedOptions =>
    [
        ["maxTokens 0", (Action<TokenizeToIdsOptions>)(o => o.MaxTokens = 0), "maxTokens"],
        ["maxTokens -1", (Action<TokenizeToIdsOptions>)(o => o.MaxTokens = -1), "maxTokens"],
        ["maxTokens 1 with CLS", (Action<TokenizeToIdsOptions>)(o => { o.MaxTokens = 1; o.AddClsToken = true; }), "maxTokens"],
        ["maxTokens 2 with CLS and a pair", (Action<TokenizeToIdsOptions>)(o => { o.MaxTokens = 2; o.AddClsToken = true; o.SecondInputColumnName = "Text2"; }), "maxTokens"],
        ["minCount 0", (Action<TokenizeToIdsOptions>)(o => o.MinCount = 0), "minCount"],
        ["maxVocabularySize 0", (Action<TokenizeToIdsOptions>)(o => o.MaxVocabularySize = 0), "maxVocabularySize"],
        ["empty output column", (Action<TokenizeToIdsOptions>)(o => o.OutputColumnName = ""), "outputColumnName"],
        ["null input column", (Action<TokenizeToIdsOptions>)(o => o.InputColumnName = null!), "inputColumnName"],
        ["empty second column", (Action<TokenizeToIdsOptions>)(o => o.SecondInputColumnName = ""), "secondInputColumnName"],
    ];

    [TestMethod]
    [DynamicData(nameof(RefusedOptions))]
    public void OptionsPastTheirLimits_ThrowNamingTheOption(string what, Action<TokenizeToIdsOptions> set, string option)
    {
        var options = new TokenizeToIdsOptions { OutputColumnName = "Tokens", InputColumnName = "Text" };
        set(options);

        var e = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.Text.TokenizeToIds(options), what);

        Assert.AreEqual(option, e.ParamName, what);
        StringAssert.Contains(e.Message, option, what);
    }

    [TestMethod]
    public void OptionsAtTheirLimits_DoWhatTheySay()
    {
        var ml = new MLContext(seed: 1);
        var data = Texts(ml, "a b b c c c", "c");

        var one = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 1).Fit(data);
        CollectionAssert.AreEqual(new[] { one.GetIds("a")[0] }, one.GetIds("a b c"), "maxTokens 1 keeps the first id");
        var cls = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 2, addClsToken: true).Fit(data);
        CollectionAssert.AreEqual(new[] { Vocabulary.ClsId, cls.GetIds("a")[1] }, cls.GetIds("a b c"), "maxTokens 2 with CLS keeps CLS and one word");
        var unlimited = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: int.MaxValue).Fit(data);
        Assert.HasCount(6, unlimited.GetIds("a b b c c c"), "maxTokens int.MaxValue keeps every id");
        var rare = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", minCount: int.MaxValue).Fit(data);
        Assert.AreEqual(Vocabulary.FirstTokenId, rare.VocabularySize, "minCount int.MaxValue keeps no word");
        var top = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxVocabularySize: 1).Fit(data);
        CollectionAssert.AreEqual(new[] { "c" }, top.TokenTexts.Skip(Vocabulary.FirstTokenId).ToArray(), "maxVocabularySize 1 keeps the most frequent word");
        var all = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxVocabularySize: int.MaxValue).Fit(data);
        Assert.AreEqual(Vocabulary.FirstTokenId + 3, all.VocabularySize);
        Assert.ThrowsExactly<ArgumentNullException>(() => ml.Transforms.Text.TokenizeToIds("Tokens", "Text", tokenizer: null!));
    }

    /// <summary>The first <paramref name="limit"/> words, lower-cased, by the word tokenizer's own bounded split.</summary>
    private static List<string> Words(string text, int limit)
    {
        var words = new List<string>();
        WordTokenizer.Split(text, lowerCase: true, new StringBuilder(), limit, w =>
        {
            words.Add(w);
            return true;
        });
        return words;
    }

    private static bool IsValidUtf16(string s)
    {
        for (int i = 0; i < s.Length;)
        {
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out _, out int n) != System.Buffers.OperationStatus.Done) return false;
            i += n;
        }
        return true;
    }

    /// <summary>Compact id -> cl100k id: training counts of the external ids, most frequent first, ties by the smaller id.</summary>
    private static Dictionary<int, int> ExternalIds(IReadOnlyList<IReadOnlyList<int>> trainingIds)
    {
        var counts = new Dictionary<int, int>();
        foreach (var ids in trainingIds)
            foreach (int id in ids) counts[id] = counts.GetValueOrDefault(id) + 1;
        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
            .Select((kv, i) => (Compact: Vocabulary.FirstTokenId + i, External: kv.Key)).ToDictionary(p => p.Compact, p => p.External);
    }

    public sealed class PairRow
    {
        public string? Text { get; set; }

        public string? Text2 { get; set; }
    }
}
