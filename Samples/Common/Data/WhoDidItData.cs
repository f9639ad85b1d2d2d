namespace MLComponents.Samples;

/// <summary>
/// The sample's embedded default: "who did it?" sentences. The label is the animal that acts; every
/// sentence names two animals, and active and passive voice both occur, so the words alone say only
/// "one of these two" (a bag of words tops out near 50 %) while word order settles it.
/// </summary>
public static class WhoDidItData
{
    /// <summary>The four labels.</summary>
    public static readonly string[] Animals = ["cat", "dog", "fox", "owl"];

    private static readonly string[] Verbs = ["chased", "bit", "followed", "watched", "scared", "found", "pushed", "greeted", "ignored", "helped"];
    private static readonly string[] Openers = ["", "yesterday", "this morning", "at night", "suddenly", "once again", "in the garden"];
    private static readonly string[] Closers = ["", "near the river", "and then slept", "behind the barn", "for a while", "without a sound", "twice"];
    private static readonly string[] Manners = ["", "quietly", "happily", "slowly", "angrily"];

    /// <summary>Generates <paramref name="count"/> labelled sentences, deterministic for a seed.</summary>
    public static IEnumerable<(string Label, string Text)> Generate(int count, int seed)
    {
        var rng = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            int a = rng.Next(Animals.Length);
            int b = (a + 1 + rng.Next(Animals.Length - 1)) % Animals.Length;
            string agent = Animals[a], patient = Animals[b];
            string verb = Verbs[rng.Next(Verbs.Length)];
            string manner = Manners[rng.Next(Manners.Length)];
            string core = rng.Next(2) == 0
                ? Join("the", agent, manner, verb, "the", patient)
                : Join("the", patient, "was", manner, verb, "by", "the", agent);
            yield return (agent, Join(Openers[rng.Next(Openers.Length)], core, Closers[rng.Next(Closers.Length)]));
        }
    }

    private static string Join(params string[] parts) => string.Join(' ', parts.Where(p => p.Length > 0));
}
