namespace MLComponents.Text;

/// <summary>
/// A word -> id map with reserved ids: <see cref="PadId"/> 0, <see cref="UnknownId"/> 1, <see cref="ClsId"/> 2;
/// words take ids from <see cref="FirstWordId"/> on, most frequent first (ties broken by ordinal order, so
/// a vocabulary is a pure function of its training data).
/// </summary>
public sealed class Vocabulary
{
    /// <summary>Padding id.</summary>
    public const int PadId = 0;
    /// <summary>Id of words not in the vocabulary.</summary>
    public const int UnknownId = 1;
    /// <summary>Id of the classification token put first when requested.</summary>
    public const int ClsId = 2;
    /// <summary>First id given to a word.</summary>
    public const int FirstWordId = 3;

    /// <summary>Text of the reserved ids as stored in model archives.</summary>
    public static IReadOnlyList<string> ReservedTokens { get; } = ["<pad>", "<unk>", "<cls>"];

    private readonly Dictionary<string, int> _ids;
    private readonly string[] _words;

    private Vocabulary(string[] words)
    {
        _words = words;
        _ids = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
            if (!_ids.TryAdd(words[i], FirstWordId + i))
                throw new ArgumentException($"Vocabulary word '{words[i]}' appears twice (entries {_ids[words[i]] - FirstWordId} and {i}).", nameof(words));
    }

    /// <summary>Number of ids including the reserved ones (the embedding table size a model needs).</summary>
    public int Size => FirstWordId + _words.Length;

    /// <summary>The words in id order (without reserved tokens).</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Id of a word, or <see cref="UnknownId"/>.</summary>
    public int GetId(string word) => _ids.TryGetValue(word, out int id) ? id : UnknownId;

    /// <summary>Text of an id (reserved tokens as &lt;pad&gt;, &lt;unk&gt;, &lt;cls&gt;).</summary>
    public string GetToken(int id) =>
        id >= 0 && id < FirstWordId ? ReservedTokens[id]
        : id - FirstWordId < _words.Length && id >= FirstWordId ? _words[id - FirstWordId]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"Id outside the vocabulary of {Size} ids.");

    /// <summary>Wraps a stored word list (id order).</summary>
    public static Vocabulary FromWords(IEnumerable<string> words) => new([.. words]);

    /// <summary>
    /// Builds a vocabulary from word counts: words seen at least <paramref name="minCount"/> times, the
    /// <paramref name="maxSize"/> most frequent (reserved ids not counted).
    /// </summary>
    public static Vocabulary Build(IReadOnlyDictionary<string, long> counts, int minCount, int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSize);
        var words = counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxSize).Select(kv => kv.Key).ToArray();
        return new Vocabulary(words);
    }
}
