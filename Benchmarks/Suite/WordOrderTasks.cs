namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// Generated word-order classification tasks. In each, every sentence holds the words that decide the label whatever the
/// label is, so a bag of words stays near chance and only word order (long-range, relative, local or absolute) decides.
/// </summary>
public static class WordOrderTasks
{
    private static readonly string[] Fillers =
    [
        "the", "a", "very", "quite", "and", "then", "near", "blue", "old", "small", "big", "some", "with", "over", "under", "soon",
        "later", "green", "quiet", "loud", "happy", "tall", "short", "of", "in", "on", "by", "for", "to", "from", "slowly", "rather",
        "bright", "dark", "warm", "cold", "new", "early", "late", "still",
    ];

    private static readonly (string Kind, string[] Nouns)[] Kinds =
    [
        ("animal", ["cat", "dog", "horse", "cow", "fox", "owl", "goat", "sheep", "mouse", "bear", "wolf", "deer"]),
        ("tool", ["hammer", "saw", "drill", "wrench", "chisel", "pliers", "axe", "rake", "spade", "file", "clamp", "level"]),
        ("fruit", ["apple", "pear", "plum", "cherry", "lemon", "mango", "grape", "peach", "melon", "lime", "fig", "kiwi"]),
        ("vehicle", ["car", "bus", "train", "boat", "truck", "tram", "bike", "van", "ship", "taxi", "jeep", "sled"]),
    ];

    /// <summary>The fillers plus 80 made-up words, so the first-noun task has a vocabulary a small model must work to embed.</summary>
    private static readonly string[] ManyFillers =
        [.. Fillers, .. from a in new[] { "bo", "ka", "mi", "tu", "re", "sa", "lo", "ni" } from b in new[] { "dan", "pel", "rik", "sum", "tov", "gar", "lem", "fio", "zur", "wex" } select a + b];

    /// <summary>The word-order tasks, in table order.</summary>
    public static IReadOnlyList<SuiteTask> All { get; } =
    [
        Classifier("first-noun", "label = kind of the FIRST of two nouns of different kinds (4 kinds x 12 nouns) among 120 fillers (bag of words 0.5)",
            new TaskSize(4000, 1000, 300), 10, 30, ManyFillers, FirstNoun),
        Classifier("marker-order", "label = which of the markers alpha/beta comes first among fillers (bag of words 0.5)",
            new TaskSize(3000, 1000, 300), 8, 32, Fillers, MarkerOrder),
        Classifier("agent", "label = the animal that acts (6), active/passive/cleft templates, adverbs and phrases (bag of words 0.5)",
            new TaskSize(3000, 1000, 300), 12, 32, null, Agent),
        Classifier("negation", "label = polarity of the one adjective, flipped when 'not' stands right before it (local order; bag of words 0.5)",
            new TaskSize(3000, 1000, 300), 8, 32, Fillers, Negation),
        Classifier("quarter", "label = which quarter of the sentence the one marker 'zed' stands in (position relative to length; 4 classes)",
            new TaskSize(3000, 1000, 300), 8, 32, Fillers, Quarter),
    ];

    /// <summary>
    /// A classification task whose rows <paramref name="make"/> draws (random source, length, filler words) from
    /// <paramref name="fillers"/> (null: the task has no filler vocabulary); <see cref="TaskSize.Fillers"/> &gt; 0 keeps only
    /// the list's first words, to measure how much of a task's difficulty is the variety of the words around the ones that count.
    /// </summary>
    private static SuiteTask Classifier(string name, string description, TaskSize size, int min, int max, string[]? fillers,
        Func<Random, int, string[], LabelledText> make) =>
        new(name, $"{description}; train {min}-{max} tokens", SuiteTaskKind.Classification, size, TestsLength: true, (s, longer, seed) =>
        {
            string[] words = fillers is null ? [] : s.Fillers > 0 ? fillers[..s.Fillers] : fillers;
            var tests = new Dictionary<string, IReadOnlyList<LabelledText>> { ["1x"] = Rows(s.Test, min, max, new Random(seed + 1), words, make) };
            for (int i = 0; i < longer.Count; i++) tests[longer[i].Name] = Rows(s.LongTest, longer[i].Min, longer[i].Max, new Random(seed + 2 + i), words, make);
            return new TaskData(Rows(s.Train, min, max, new Random(seed), words, make), tests, null, null);
        })
        { FillerWords = fillers?.Length ?? 0 };

    private static List<LabelledText> Rows(int count, int min, int max, Random rng, string[] fillers, Func<Random, int, string[], LabelledText> make)
    {
        var rows = new List<LabelledText>(count);
        for (int i = 0; i < count; i++) rows.Add(make(rng, rng.Next(min, max + 1), fillers));
        return rows;
    }

    /// <summary><paramref name="length"/> words drawn from <paramref name="fillers"/> with <paramref name="placed"/> at seeded distinct positions, in the given order.</summary>
    private static string Place(Random rng, int length, string[] fillers, params string[] placed)
    {
        var words = new string[length];
        var slots = Enumerable.Range(0, length).OrderBy(_ => rng.Next()).Take(placed.Length).Order().ToArray();
        for (int i = 0, k = 0; i < length; i++)
        {
            words[i] = k < slots.Length && slots[k] == i ? placed[k++] : fillers[rng.Next(fillers.Length)];
        }
        return string.Join(' ', words);
    }

    private static LabelledText FirstNoun(Random rng, int length, string[] fillers)
    {
        int a = rng.Next(Kinds.Length), b;
        do b = rng.Next(Kinds.Length); while (b == a);
        string first = Kinds[a].Nouns[rng.Next(Kinds[a].Nouns.Length)], second = Kinds[b].Nouns[rng.Next(Kinds[b].Nouns.Length)];
        return new LabelledText(Kinds[a].Kind, Place(rng, length, fillers, first, second));
    }

    private static LabelledText MarkerOrder(Random rng, int length, string[] fillers)
    {
        bool alphaFirst = rng.Next(2) == 0;
        return new LabelledText(alphaFirst ? "alpha" : "beta", Place(rng, length, fillers, alphaFirst ? "alpha" : "beta", alphaFirst ? "beta" : "alpha"));
    }

    private static LabelledText Quarter(Random rng, int length, string[] fillers)
    {
        var text = Place(rng, length, fillers, "zed");
        int at = Array.IndexOf(text.Split(' '), "zed");
        return new LabelledText($"q{4 * at / length + 1}", text);
    }

    private static readonly string[] Good = ["good", "great", "fine", "nice", "lovely"], Bad = ["bad", "awful", "poor", "dull", "ugly"];

    private static LabelledText Negation(Random rng, int length, string[] fillers)
    {
        bool positive = rng.Next(2) == 0, adjacent = rng.Next(2) == 0;
        string adjective = positive ? Good[rng.Next(Good.Length)] : Bad[rng.Next(Bad.Length)];
        string label = positive ^ adjacent ? "pos" : "neg";
        if (adjacent)
        {
            // "not adjective" as one unit among length - 1 slots.
            var text = Place(rng, length - 1, fillers, "\u0001");
            return new LabelledText(label, text.Replace("\u0001", $"not {adjective}", StringComparison.Ordinal));
        }
        // Apart: 'not' anywhere but right before the adjective (either order).
        while (true)
        {
            var words = Place(rng, length, fillers, "\u0001", "\u0002").Split(' ');
            int n = Array.IndexOf(words, "\u0001"), j = Array.IndexOf(words, "\u0002");
            if (rng.Next(2) == 0) (n, j) = (j, n);
            if (n + 1 == j) continue;
            words[n] = "not";
            words[j] = adjective;
            return new LabelledText(label, string.Join(' ', words));
        }
    }

    private static readonly string[] Animals = ["fox", "owl", "cat", "dog", "bear", "wolf"];
    private static readonly (string Past, string Participle)[] Verbs =
        [("chased", "chased"), ("bit", "bitten"), ("helped", "helped"), ("saw", "seen"), ("followed", "followed"), ("pushed", "pushed"), ("caught", "caught")];
    private static readonly string[] Adjectives = ["old", "young", "grey", "small", "brave", "sleepy"];
    private static readonly string[] Adverbs = ["quietly", "suddenly", "gently", "twice", "again", "slowly"];
    private static readonly string[][] Phrases =
    [
        ["near", "the", "river"], ["in", "the", "morning"], ["at", "dawn"], ["after", "the", "rain"], ["on", "a", "cold", "day"],
        ["behind", "the", "old", "barn"], ["yesterday"], ["in", "the", "deep", "forest"], ["without", "a", "sound"], ["under", "the", "bridge"],
    ];

    private static LabelledText Agent(Random rng, int length, string[] _)
    {
        int a = rng.Next(Animals.Length), p;
        do p = rng.Next(Animals.Length); while (p == a);
        var verb = Verbs[rng.Next(Verbs.Length)];
        List<string> NounPhrase(int animal) => rng.Next(3) == 0 ? ["the", Adjectives[rng.Next(Adjectives.Length)], Animals[animal]] : ["the", Animals[animal]];
        List<string> Adverb() => rng.Next(3) == 0 ? [Adverbs[rng.Next(Adverbs.Length)]] : [];
        List<string> core = rng.Next(4) switch
        {
            0 => [.. NounPhrase(a), .. Adverb(), verb.Past, .. NounPhrase(p)],                                   // the fox chased the owl
            1 => [.. NounPhrase(p), "was", .. Adverb(), verb.Participle, "by", .. NounPhrase(a)],                // the owl was chased by the fox
            2 => ["it", "was", .. NounPhrase(a), "that", verb.Past, .. NounPhrase(p)],                           // it was the fox that chased the owl
            _ => ["it", "was", .. NounPhrase(p), "that", "was", verb.Participle, "by", .. NounPhrase(a)],        // it was the owl that was chased by the fox
        };
        // Phrases before or after the clause until the length is reached; single adverbs fill the last gaps.
        var before = new List<string>();
        var after = new List<string>();
        while (core.Count + before.Count + after.Count < length)
        {
            int room = length - core.Count - before.Count - after.Count;
            var fitting = Phrases.Where(x => x.Length <= room).ToArray();
            string[] phrase = fitting.Length > 0 && rng.Next(4) != 0 ? fitting[rng.Next(fitting.Length)] : [Adverbs[rng.Next(Adverbs.Length)]];
            (rng.Next(2) == 0 ? before : after).AddRange(phrase);
        }
        return new LabelledText(Animals[a], string.Join(' ', before.Concat(core).Concat(after)));
    }
}
