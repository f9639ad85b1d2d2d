namespace MLComponents.Samples.SchemeReport;

/// <summary>
/// The embedded default data: the marker-order task (fillers plus 'alpha' and 'beta' once each; the label is the marker that comes
/// first, so a bag of words is at chance). Training sentences have 8-32 tokens; test sentences 8-128, so the report shows how
/// each scheme holds up at up to 4x the training length.
/// </summary>
public static class DefaultData
{
    private static readonly string[] Fillers =
    [
        "the", "a", "very", "quite", "and", "then", "near", "blue", "old", "small", "big", "some", "with", "over", "under", "soon",
        "later", "green", "quiet", "loud", "happy", "tall", "short", "of", "in", "on", "by", "for", "to", "from",
    ];

    /// <summary><paramref name="count"/> rows with lengths drawn uniformly from <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static List<LabelledRow> Generate(int count, int min, int max, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<LabelledRow>(count);
        for (int r = 0; r < count; r++)
        {
            int length = rng.Next(min, max + 1);
            var words = new string[length];
            for (int i = 0; i < length; i++) words[i] = Fillers[rng.Next(Fillers.Length)];
            int a = rng.Next(length), b;
            do b = rng.Next(length); while (b == a);
            bool alphaFirst = rng.Next(2) == 0;
            words[Math.Min(a, b)] = alphaFirst ? "alpha" : "beta";
            words[Math.Max(a, b)] = alphaFirst ? "beta" : "alpha";
            rows.Add(new LabelledRow { Label = alphaFirst ? "alpha" : "beta", Text = string.Join(' ', words) });
        }
        return rows;
    }
}

/// <summary>A label and a text, as the report trains on them.</summary>
public sealed class LabelledRow
{
    /// <summary>Class name.</summary>
    public string Label { get; set; } = "";

    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}
