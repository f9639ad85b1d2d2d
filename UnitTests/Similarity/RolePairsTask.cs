namespace MLComponents.UnitTests.Similarity;

/// <summary>
/// Sentence pairs where word order carries meaning. A sentence states (agent, verb, patient), written active
/// ("the cat chased the mouse") or passive ("the mouse was chased by the cat"), each concept with two synonyms.
/// The label is the share of roles two sentences agree on (0, 1/3, 2/3, 1): paraphrases 1, while the
/// agent/patient swap "the mouse chased the cat" scores 1/3 although it has exactly the words of the original.
/// A position-blind encoder sees the swap as identical (cos 1), so it cannot rank these pairs.
/// </summary>
internal static class RolePairsTask
{
    private static readonly string[][] Nouns =
    [
        ["cat", "kitty"], ["mouse", "rodent"], ["dog", "hound"], ["bird", "sparrow"], ["child", "kid"], ["teacher", "tutor"],
    ];

    private static readonly string[][] Verbs =
    [
        ["chased", "pursued"], ["saw", "noticed"], ["helped", "assisted"], ["followed", "trailed"],
    ];

    /// <summary>Every word the task can produce (for a fixed vocabulary).</summary>
    public static IReadOnlyList<string> Words { get; } =
        [.. new[] { "the", "was", "by" }.Concat(Nouns.SelectMany(n => n)).Concat(Verbs.SelectMany(v => v))];

    /// <summary>Share of sentences written in the passive voice.</summary>
    public static double PassiveShare { get; set; }

    public static string[] Render((int A, int V, int P) m, Random rng, bool? passive = null)
    {
        string a = Nouns[m.A][rng.Next(2)], v = Verbs[m.V][rng.Next(2)], p = Nouns[m.P][rng.Next(2)];
        return passive ?? (PassiveShare > 0 && rng.NextDouble() < PassiveShare) ? ["the", p, "was", v, "by", "the", a] : ["the", a, v, "the", p];
    }

    /// <summary>
    /// Pairs: a quarter paraphrases, a quarter agent/patient swaps written identically (both active), a quarter with
    /// one role changed, a quarter unrelated (no role agrees): four equal label levels. Returns the words of both sides, the label and whether the pair is a swap.
    /// </summary>
    public static List<(string[] First, string[] Second, float Label, bool Swap)> Make(int count, int seed)
    {
        var rng = new Random(seed);
        var list = new List<(string[], string[], float, bool)>(count);
        (int, int, int) Random() { int a = rng.Next(Nouns.Length), p; do p = rng.Next(Nouns.Length); while (p == a); return (a, rng.Next(Verbs.Length), p); }
        for (int i = 0; i < count; i++)
        {
            var m = Random();
            switch (i % 4)
            {
                case 0:
                    list.Add((Render(m, rng), Render(m, rng), 1f, false));
                    break;
                case 1:
                    // Same surface words, roles swapped: only the verb agrees.
                    var first = Render(m, rng, passive: false);
                    list.Add((first, [first[0], first[4], first[2], first[3], first[1]], 1f / 3, true));
                    break;
                case 2:
                    var n = m;
                    switch (rng.Next(3))
                    {
                        case 0: do n.Item1 = rng.Next(Nouns.Length); while (n.Item1 == m.Item1 || n.Item1 == m.Item3); break;
                        case 1: do n.Item2 = rng.Next(Verbs.Length); while (n.Item2 == m.Item2); break;
                        default: do n.Item3 = rng.Next(Nouns.Length); while (n.Item3 == m.Item3 || n.Item3 == m.Item1); break;
                    }
                    list.Add((Render(m, rng), Render(n, rng), 2f / 3, false));
                    break;
                default:
                    // Unrelated: no role agrees.
                    (int, int, int) o;
                    do o = Random(); while (o.Item1 == m.Item1 || o.Item2 == m.Item2 || o.Item3 == m.Item3);
                    list.Add((Render(m, rng), Render(o, rng), 0f, false));
                    break;
            }
        }
        return list;
    }

    /// <summary>Word ids: index in <see cref="Words"/> + 3 (0 pad, 1 unknown, 2 cls are reserved as in the vocabulary).</summary>
    public static int[] Ids(string[] words) => [.. words.Select(w => IndexOf(w) + 3)];

    private static int IndexOf(string w)
    {
        for (int i = 0; i < Words.Count; i++)
        {
            if (Words[i] == w) return i;
        }
        throw new ArgumentException($"Unknown word '{w}'.", nameof(w));
    }

    public const int Vocabulary = 3 + 3 + 12 + 8;

    public static MLComponents.Engine.SentencePairs ToPairs(List<(string[] First, string[] Second, float Label, bool Swap)> pairs) =>
        new([.. pairs.Select(p => Ids(p.First))], [.. pairs.Select(p => Ids(p.Second))], [.. pairs.Select(p => p.Label)]);
}
