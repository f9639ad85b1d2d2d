namespace MLComponents.Text;

/// <summary>
/// The id space TokenizeToIds writes: reserved ids <see cref="Vocabulary.PadId"/> 0, <see cref="Vocabulary.UnknownId"/> 1, <see cref="Vocabulary.ClsId"/> 2 and
/// <see cref="Vocabulary.SepId"/> 3, then one id per token kept at Fit, from <see cref="Vocabulary.FirstTokenId"/> on, most frequent first (ties broken
/// by the token's own order, so a vocabulary is a pure function of its training data). A token is a word (the word tokenizer)
/// or an id of an external Microsoft.ML.Tokenizers tokenizer, whose large id space is compacted to the ids seen in training.
/// </summary>
/// <typeparam name="TToken">string for words, int for external tokenizer ids.</typeparam>
public sealed class Vocabulary<TToken> where TToken : notnull
{
    private readonly Dictionary<TToken, int> _ids;
    private readonly TToken[] _tokens;

    private Vocabulary(TToken[] tokens)
    {
        _tokens = tokens;
        _ids = new Dictionary<TToken, int>(tokens.Length);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!_ids.TryAdd(tokens[i], Vocabulary.FirstTokenId + i))
                throw new ArgumentException($"Vocabulary token '{tokens[i]}' appears twice (entries {_ids[tokens[i]] - Vocabulary.FirstTokenId} and {i}).", nameof(tokens));
        }
    }

    /// <summary>Number of ids including the reserved ones (the embedding table size a model needs).</summary>
    public int Size => Vocabulary.FirstTokenId + _tokens.Length;

    /// <summary>The tokens in id order (without reserved ids).</summary>
    public IReadOnlyList<TToken> Tokens => _tokens;

    /// <summary>Id of a token, or <see cref="Vocabulary.UnknownId"/>.</summary>
    public int GetId(TToken token) => _ids.TryGetValue(token, out int id) ? id : Vocabulary.UnknownId;

    /// <summary>Wraps a stored token list (id order).</summary>
    public static Vocabulary<TToken> FromTokens(IEnumerable<TToken> tokens) => new([.. tokens]);

    /// <summary>
    /// Keeps the tokens seen at least <paramref name="minCount"/> times, the <paramref name="maxSize"/> most frequent (reserved
    /// ids not counted); ties in count go to the smaller token (ordinal for strings).
    /// </summary>
    public static Vocabulary<TToken> Build(IReadOnlyDictionary<TToken, long> counts, int minCount, int maxSize, IComparer<TToken> order)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSize);
        var tokens = counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, order)
            .Take(maxSize).Select(kv => kv.Key).ToArray();
        return new Vocabulary<TToken>(tokens);
    }
}

/// <summary>The reserved ids shared by every vocabulary.</summary>
public static class Vocabulary
{
    /// <summary>Padding id.</summary>
    public const int PadId = 0;

    /// <summary>Id of tokens not in the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>Id of the classification token put first when requested.</summary>
    public const int ClsId = 2;

    /// <summary>Id of the separator between the two texts of a pair.</summary>
    public const int SepId = 3;

    /// <summary>First id given to a token.</summary>
    public const int FirstTokenId = 4;

    /// <summary>Text of the reserved ids, as the id column's KeyValues show them.</summary>
    public static IReadOnlyList<string> ReservedTokens { get; } = ["<pad>", "<unk>", "<cls>", "<sep>"];
}
