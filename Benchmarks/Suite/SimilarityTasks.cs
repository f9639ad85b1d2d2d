namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// Generated order-sensitive sentence pairs, written differently from the SentenceSimilarity sample's ("the cat chased the
/// mouse"): people instead of animals, synonyms for verbs and nouns, adverbs and time phrases, active and passive voice, and a
/// second task where the order of events is the meaning. Labels are in [0, 1]; in both tasks some pairs hold the same words
/// with different meanings, so a position-blind encoder cannot rank them.
/// </summary>
public static class SimilarityTasks
{
    /// <summary>The similarity tasks, in table order.</summary>
    public static IReadOnlyList<SuiteTask> All { get; } =
    [
        Task("sim-roles", "who did what to whom: share of (agent, verb, patient) two sentences agree on; voice, synonyms, adverbs vary; role swaps keep the words",
            Roles),
        Task("sim-events", "order of three events (\"first we X, then Y, finally Z\" in varied wording): label = (Kendall tau + 1) / 2; every pair has the same events",
            EventOrder),
    ];

    private static SuiteTask Task(string name, string description, Func<Random, ScoredPair> make) =>
        new(name, description, SuiteTaskKind.Similarity, new TaskSize(2400, 600, 0), TestsLength: false, (s, _, seed) =>
        {
            static List<ScoredPair> Rows(int n, Random rng, Func<Random, ScoredPair> make) => [.. Enumerable.Range(0, n).Select(_ => make(rng))];
            return new TaskData(null, null, Rows(s.Train, new Random(seed), make),
                new Dictionary<string, IReadOnlyList<ScoredPair>> { ["1x"] = Rows(s.Test, new Random(seed + 1), make) });
        });

    private static readonly string[][] People =
    [
        ["doctor", "physician"], ["lawyer", "attorney"], ["pilot", "aviator"], ["chef", "cook"], ["farmer", "grower"], ["nurse", "carer"],
    ];

    private static readonly (string[] Past, string[] Participle)[] Actions =
    [
        (["called", "phoned"], ["called", "phoned"]), (["paid", "compensated"], ["paid", "compensated"]),
        (["thanked", "praised"], ["thanked", "praised"]), (["warned", "alerted"], ["warned", "alerted"]),
        (["visited", "saw"], ["visited", "seen"]),
    ];

    private static readonly string[] Adverbs = ["yesterday", "on monday", "again", "at noon", "last week", "quickly", "twice"];

    private static string Render(Random rng, (int A, int V, int P) m, bool passive)
    {
        string a = "the " + People[m.A][rng.Next(2)], p = "the " + People[m.P][rng.Next(2)];
        var action = Actions[m.V];
        string clause = passive ? $"{p} was {action.Participle[rng.Next(2)]} by {a}" : $"{a} {action.Past[rng.Next(2)]} {p}";
        return rng.Next(3) switch
        {
            0 => clause,
            1 => $"{Adverbs[rng.Next(Adverbs.Length)]} {clause}",
            _ => $"{clause} {Adverbs[rng.Next(Adverbs.Length)]}",
        };
    }

    /// <summary>Four groups in turn: paraphrase (1), role swap (1/3), one role changed (2/3), nothing shared (0).</summary>
    private static ScoredPair Roles(Random rng)
    {
        (int A, int V, int P) Meaning()
        {
            int a = rng.Next(People.Length), p;
            do p = rng.Next(People.Length); while (p == a);
            return (a, rng.Next(Actions.Length), p);
        }
        var m = Meaning();
        bool Voice() => rng.Next(2) == 0;
        switch (rng.Next(4))
        {
            case 0:
                return new ScoredPair(Render(rng, m, Voice()), Render(rng, m, Voice()), 1f);
            case 1:
                // The same words with agent and patient exchanged (or the same nouns with the voice flipped).
                var swapped = (m.P, m.V, m.A);
                return new ScoredPair(Render(rng, m, Voice()), Render(rng, swapped, Voice()), 1f / 3);
            case 2:
                var n = m;
                switch (rng.Next(3))
                {
                    case 0: do n.A = rng.Next(People.Length); while (n.A == m.A || n.A == m.P); break;
                    case 1: do n.V = rng.Next(Actions.Length); while (n.V == m.V); break;
                    default: do n.P = rng.Next(People.Length); while (n.P == m.P || n.P == m.A); break;
                }
                return new ScoredPair(Render(rng, m, Voice()), Render(rng, n, Voice()), 2f / 3);
            default:
                (int A, int V, int P) o;
                do o = Meaning(); while (o.A == m.A || o.P == m.P || o.V == m.V);
                return new ScoredPair(Render(rng, m, Voice()), Render(rng, o, Voice()), 0f);
        }
    }

    private static readonly string[] Events =
    [
        "cooked dinner", "washed the car", "read a book", "called mom", "went shopping", "took a walk", "paid the bills", "fed the cat",
    ];

    private static readonly string[][] Frames =
    [
        ["first we {0}", "then we {1}", "and finally we {2}"],
        ["we {0}", "after that we {1}", "and at last we {2}"],
        ["in the morning we {0}", "later we {1}", "and in the evening we {2}"],
        ["to begin with we {0}", "next we {1}", "and to end the day we {2}"],
    ];

    private static readonly int[][] Orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    /// <summary>Three events told in two orders; label (tau + 1) / 2 in {0, 1/3, 2/3, 1}, each about equally often.</summary>
    private static ScoredPair EventOrder(Random rng)
    {
        var chosen = Enumerable.Range(0, Events.Length).OrderBy(_ => rng.Next()).Take(3).ToArray();
        int[] first = Orders[rng.Next(Orders.Length)];
        // Pick the target agreement first so the four labels are balanced, then an order with it.
        int concordantTarget = new[] { 0, 1, 2, 3 }[rng.Next(4)];
        var candidates = Orders.Where(o => Concordant(first, o) == concordantTarget).ToArray();
        int[] second = candidates[rng.Next(candidates.Length)];
        string Tell(int[] order)
        {
            var frame = Frames[rng.Next(Frames.Length)];
            return string.Join(' ', frame.Select((f, k) => string.Format(System.Globalization.CultureInfo.InvariantCulture, f.Replace("{" + k + "}", "{0}", StringComparison.Ordinal),
                Events[chosen[order[k]]])));
        }
        return new ScoredPair(Tell(first), Tell(second), concordantTarget / 3f);
    }

    /// <summary>Pairs of events told in the same relative order by both orders (0..3).</summary>
    private static int Concordant(int[] a, int[] b)
    {
        int count = 0;
        for (int x = 0; x < 3; x++)
        {
            for (int y = x + 1; y < 3; y++)
            {
                // Is event x before event y in both?
                bool inA = Array.IndexOf(a, x) < Array.IndexOf(a, y), inB = Array.IndexOf(b, x) < Array.IndexOf(b, y);
                count += inA == inB ? 1 : 0;
            }
        }
        return count;
    }
}
