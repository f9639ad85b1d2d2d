namespace MLComponents.Samples.SentenceSimilarity;

/// <summary>
/// Sentence pairs where word order carries meaning. A sentence states (agent, verb, patient), written active
/// ("the cat chased the mouse") or, with <see cref="Make"/>'s passiveShare, passive ("the mouse was chased by the
/// cat"); every concept has two synonyms. The label is the share of roles two sentences agree on (0, 1/3, 2/3, 1):
/// paraphrases 1, while the agent/patient swap "the mouse chased the cat" gets 1/3 although it has exactly the
/// words of the original. A position-blind encoder sees the swap as identical (cos 1), so it cannot rank them.
/// </summary>
public static class AgentPatientPairs
{
    private static readonly string[][] Nouns =
    [
        ["cat", "kitty"], ["mouse", "rodent"], ["dog", "hound"], ["bird", "sparrow"], ["child", "kid"], ["teacher", "tutor"],
    ];

    private static readonly string[][] Verbs =
    [
        ["chased", "pursued"], ["saw", "noticed"], ["helped", "assisted"], ["followed", "trailed"],
    ];

    /// <summary>Every word the generator can produce, in a fixed order.</summary>
    public static IReadOnlyList<string> Words { get; } =
        [.. new[] { "the", "was", "by" }.Concat(Nouns.SelectMany(n => n)).Concat(Verbs.SelectMany(v => v))];

    /// <summary>Whether nouns use their synonyms by default.</summary>
    public const bool NounSynonymsDefault = false;

    /// <summary>One generated pair.</summary>
    /// <param name="Sentence1">First sentence's words.</param>
    /// <param name="Sentence2">Second sentence's words.</param>
    /// <param name="Label">Share of agreeing roles.</param>
    /// <param name="Swap">True for an agent/patient swap with the same words.</param>
    public sealed record Pair(string[] Sentence1, string[] Sentence2, float Label, bool Swap);

    /// <summary>
    /// Pairs in four equal groups (labels 1, 1/3, 2/3, 0): paraphrases (same meaning, synonyms, voice); agent/patient
    /// swaps written with the same words; one role changed; unrelated (no role agrees).
    /// </summary>
    public static List<Pair> Make(int count, int seed, double passiveShare = 0, bool nounSynonyms = NounSynonymsDefault)
    {
        var rng = new Random(seed);
        var list = new List<Pair>(count);
        (int A, int V, int P) Meaning()
        {
            int a = rng.Next(Nouns.Length), p;
            do p = rng.Next(Nouns.Length); while (p == a);
            return (a, rng.Next(Verbs.Length), p);
        }
        string[] Render((int A, int V, int P) m, bool passive)
        {
            int forms = nounSynonyms ? 2 : 1;
            string a = Nouns[m.A][rng.Next(forms)], v = Verbs[m.V][rng.Next(2)], p = Nouns[m.P][rng.Next(forms)];
            return passive ? ["the", p, "was", v, "by", "the", a] : ["the", a, v, "the", p];
        }
        bool Passive() => passiveShare > 0 && rng.NextDouble() < passiveShare;
        for (int i = 0; i < count; i++)
        {
            var m = Meaning();
            switch (i % 4)
            {
                case 0:
                    list.Add(new Pair(Render(m, Passive()), Render(m, Passive()), 1f, false));
                    break;
                case 1:
                    var first = Render(m, passive: false);
                    list.Add(new Pair(first, [first[0], first[4], first[2], first[3], first[1]], 1f / 3, true));
                    break;
                case 2:
                    var n = m;
                    switch (rng.Next(3))
                    {
                        case 0: do n.A = rng.Next(Nouns.Length); while (n.A == m.A || n.A == m.P); break;
                        case 1: do n.V = rng.Next(Verbs.Length); while (n.V == m.V); break;
                        default: do n.P = rng.Next(Nouns.Length); while (n.P == m.P || n.P == m.A); break;
                    }
                    list.Add(new Pair(Render(m, Passive()), Render(n, Passive()), 2f / 3, false));
                    break;
                default:
                    (int A, int V, int P) o;
                    do o = Meaning(); while (o.A == m.A || o.V == m.V || o.P == m.P);
                    list.Add(new Pair(Render(m, Passive()), Render(o, Passive()), 0f, false));
                    break;
            }
        }
        return list;
    }
}
