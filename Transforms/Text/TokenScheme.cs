using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using MLComponents.MLNet;
using MLComponents.Text;

namespace MLComponents;

/// <summary>
/// The fitted half of TokenizeToIds' splitting: how text becomes tokens and which token has which id. Two kinds: the
/// built-in word tokenizer with a word vocabulary, and a Microsoft.ML.Tokenizers tokenizer whose ids are compacted to those
/// seen in training. Each cursor gets its own <see cref="Splitter"/> (scratch state is not shared between threads).
/// </summary>
internal abstract class TokenScheme
{
    /// <summary>Ids the scheme can emit (reserved ids included): the embedding table size a model needs.</summary>
    public abstract int Size { get; }

    /// <summary>Readable text of every id, reserved ones first (the id column's KeyValues).</summary>
    public abstract IReadOnlyList<string> TokenTexts();

    /// <summary>Per-cursor splitting state for a transform that keeps at most <paramref name="maxTokens"/> ids of a row.</summary>
    public abstract Splitter CreateSplitter(int maxTokens);

    public abstract void Save(ComponentSaveContext ctx);

    public static TokenScheme Load(ComponentLoadContext ctx, bool lowerCase)
    {
        if (ctx.Options["tokenizer"] is JsonObject recipe)
        {
            var tokenizer = SavedTokenizer.Recreate(recipe, ctx, "tokenizer-");
            var ids = ctx.GetIntTensor("externalIds");
            try
            {
                return new SubwordScheme(tokenizer, Vocabulary<int>.FromTokens(ids));
            }
            catch (ArgumentException e)
            {
                throw ctx.Fail(ComponentLoadContext.WeightsEntry, $"tensor 'externalIds' is invalid: {e.Message}", e);
            }
        }
        try
        {
            return new WordScheme(Vocabulary<string>.FromTokens(ctx.GetText("vocabulary")), lowerCase);
        }
        catch (ArgumentException e)
        {
            throw ctx.Fail("vocabulary.txt", e.Message, e);
        }
    }

    /// <summary>Counts tokens of training text, then builds the scheme.</summary>
    public static Counter CreateCounter(Tokenizer? tokenizer, bool lowerCase, int maxTokens) =>
        tokenizer is null ? new WordCounter(lowerCase) : new SubwordCounter(tokenizer, SubwordScheme.CharactersRead(maxTokens));

    /// <summary>Per-cursor splitting state.</summary>
    public abstract class Splitter
    {
        /// <summary>Appends the first <paramref name="maxTokens"/> ids of <paramref name="text"/> (all when it has fewer) to <paramref name="ids"/>.</summary>
        public abstract void Append(ReadOnlySpan<char> text, List<int> ids, int maxTokens);
    }

    public abstract class Counter
    {
        public abstract void Count(ReadOnlySpan<char> text);

        public abstract TokenScheme Build(int minCount, int maxSize);
    }

    private sealed class WordCounter(bool lowerCase) : Counter
    {
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
        private readonly StringBuilder _scratch = new();

        public override void Count(ReadOnlySpan<char> text) =>
            WordTokenizer.Split(text, lowerCase, _scratch, w => _counts[w] = _counts.GetValueOrDefault(w) + 1);

        public override TokenScheme Build(int minCount, int maxSize) =>
            new WordScheme(Vocabulary<string>.Build(_counts, minCount, maxSize, StringComparer.Ordinal), lowerCase);
    }

    private sealed class SubwordCounter(Tokenizer tokenizer, int charactersRead) : Counter
    {
        private readonly Dictionary<int, long> _counts = [];

        // The same prefix the transform reads, so Fit counts exactly the tokens the transform can emit.
        public override void Count(ReadOnlySpan<char> text)
        {
            foreach (int id in SavedTokenizer.Encode(tokenizer, SubwordScheme.Prefix(text, charactersRead))) _counts[id] = _counts.GetValueOrDefault(id) + 1;
        }

        public override TokenScheme Build(int minCount, int maxSize) =>
            new SubwordScheme(tokenizer, Vocabulary<int>.Build(_counts, minCount, maxSize, Comparer<int>.Default));
    }
}

/// <summary>The built-in word tokenizer (<see cref="WordTokenizer"/>) with a learned word vocabulary, stored as text.</summary>
internal sealed class WordScheme(Vocabulary<string> vocabulary, bool lowerCase) : TokenScheme
{
    public Vocabulary<string> Vocabulary { get; } = vocabulary;

    public bool LowerCase { get; } = lowerCase;

    public override int Size => Vocabulary.Size;

    public override IReadOnlyList<string> TokenTexts() => [.. Text.Vocabulary.ReservedTokens, .. Vocabulary.Tokens];

    public override Splitter CreateSplitter(int maxTokens) => new WordSplitter(this);

    public override void Save(ComponentSaveContext ctx) => ctx.AddText("vocabulary", Vocabulary.Tokens);

    private sealed class WordSplitter(WordScheme scheme) : Splitter
    {
        private readonly StringBuilder _scratch = new();
        private List<int> _target = [];
        private Func<string, bool>? _onWord;

        // The word tokenizer stops at the limit, so a 5 MB line costs the words kept, not the whole line.
        public override void Append(ReadOnlySpan<char> text, List<int> ids, int maxTokens)
        {
            _target = ids;
            _onWord ??= w =>
            {
                _target.Add(scheme.Vocabulary.GetId(w));
                return true;
            };
            WordTokenizer.Split(text, scheme.LowerCase, _scratch, maxTokens, _onWord);
        }
    }
}

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer; its ids seen in training map to compact ids (most frequent first), every other id to
/// the unknown id. Stored as the tokenizer's recipe (see <see cref="SavedTokenizer"/>) plus the external ids in compact order.
/// </summary>
/// <remarks>
/// The tokenizer reads at most <see cref="CharactersRead"/>(maxTokens) characters of a text (32 per id kept, at least 4096),
/// at Fit and at Transform alike. BPE is quadratic in the length of one pre-token: cl100k_base spends a minute on 256 KB of
/// letters without a space, and hours on 5 MB. Ordinary text needs 3-5 characters per token, so the first maxTokens ids of
/// the prefix are those of the whole text; only degenerate text (runs of one character, no spaces) can differ, in the last ids.
/// </remarks>
internal sealed class SubwordScheme(Tokenizer tokenizer, Vocabulary<int> vocabulary) : TokenScheme
{
    /// <summary>Characters a subword tokenizer reads from one text when at most <paramref name="maxTokens"/> ids are kept.</summary>
    public static int CharactersRead(int maxTokens) => (int)Math.Clamp(32L * maxTokens, 4096, int.MaxValue);

    /// <summary>The first <paramref name="characters"/> of <paramref name="text"/>, not splitting a surrogate pair.</summary>
    public static ReadOnlySpan<char> Prefix(ReadOnlySpan<char> text, int characters)
    {
        if (text.Length <= characters) return text;
        if (char.IsHighSurrogate(text[characters - 1])) characters--;
        return text[..characters];
    }

    public Tokenizer Tokenizer { get; } = tokenizer;

    public Vocabulary<int> Vocabulary { get; } = vocabulary;

    public override int Size => Vocabulary.Size;

    public override IReadOnlyList<string> TokenTexts() =>
        [.. Text.Vocabulary.ReservedTokens, .. Vocabulary.Tokens.Select(id => SavedTokenizer.Describe(Tokenizer, id))];

    public override Splitter CreateSplitter(int maxTokens) => new SubwordSplitter(this, CharactersRead(maxTokens));

    public override void Save(ComponentSaveContext ctx)
    {
        var recipe = SavedTokenizer.RecipeOf(Tokenizer) ?? throw new InvalidOperationException(
            $"TokenizeToIds cannot save its {Tokenizer.GetType().Name}: it does not know how the tokenizer was made. Create it with " +
            "SavedTokenizer.Tiktoken/Bert/Bpe/SentencePiece, or register a factory with SavedTokenizer.Register and use SavedTokenizer.Registered.");
        recipe.Save(ctx, "tokenizer", "tokenizer-");
        ctx.AddTensor("externalIds", [.. Vocabulary.Tokens], Vocabulary.Tokens.Count);
    }

    private sealed class SubwordSplitter(SubwordScheme scheme, int charactersRead) : Splitter
    {
        // The tokenizer's own maxTokenCount overloads still encode a whole pre-token (the quadratic part), and may stop before a
        // pre-token whose ids would cross the limit; a bounded prefix, truncated here, bounds the work and keeps every id kept.
        public override void Append(ReadOnlySpan<char> text, List<int> ids, int maxTokens)
        {
            var all = SavedTokenizer.Encode(scheme.Tokenizer, Prefix(text, charactersRead));
            for (int i = 0; i < all.Count && i < maxTokens; i++) ids.Add(scheme.Vocabulary.GetId(all[i]));
        }
    }
}
