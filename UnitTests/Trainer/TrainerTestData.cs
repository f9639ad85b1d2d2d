namespace MLComponents.UnitTests.Trainer;

/// <summary>A row of pre-tokenised data: a text label and token ids.</summary>
public sealed class TokenRow
{
    /// <summary>Label text.</summary>
    public string Label { get; set; } = "";

    /// <summary>Token ids.</summary>
    public int[] Tokens { get; set; } = [];
}

/// <summary>A row of raw text data.</summary>
public sealed class TextRow
{
    /// <summary>Label text.</summary>
    public string Label { get; set; } = "";

    /// <summary>Sentence.</summary>
    public string Text { get; set; } = "";
}

/// <summary>A prediction read back through a prediction engine.</summary>
public sealed class TextPrediction
{
    /// <summary>Predicted label text.</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Class probabilities.</summary>
    public float[] Score { get; set; } = [];
}

/// <summary>
/// The order task: a sentence of filler words holding the two markers "alpha" and "beta" once each; the label says
/// which comes first. Every bag of words occurs with both labels equally often, so a model blind to order scores
/// 50 % in expectation, while one that sees order can be perfect.
/// </summary>
internal static class OrderTask
{
    public const int Alpha = 1, Beta = 2, FirstFiller = 3, Fillers = 8;

    /// <summary>Id sequences: markers 1 and 2, fillers 3..10; lengths in [minLength, maxLength].</summary>
    public static List<TokenRow> Ids(int count, int seed, int minLength = 4, int maxLength = 8)
    {
        var rng = new Random(seed);
        var rows = new List<TokenRow>(count);
        for (int n = 0; n < count; n++)
        {
            int len = rng.Next(minLength, maxLength + 1);
            var ids = new int[len];
            for (int i = 0; i < len; i++) ids[i] = FirstFiller + rng.Next(Fillers);
            int a = rng.Next(len), b = (a + 1 + rng.Next(len - 1)) % len;
            ids[a] = Alpha;
            ids[b] = Beta;
            rows.Add(new TokenRow { Label = a < b ? "alpha-first" : "beta-first", Tokens = ids });
        }
        return rows;
    }

    /// <summary>The same task as text ("w3 alpha w7 beta ...") for pipelines that tokenise.</summary>
    public static List<TextRow> Text(int count, int seed) =>
        [.. Ids(count, seed).Select(r => new TextRow { Label = r.Label, Text = string.Join(' ', r.Tokens.Select(Word)) })];

    private static string Word(int id) => id switch { Alpha => "alpha", Beta => "beta", _ => $"w{id}" };
}
