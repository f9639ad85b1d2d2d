namespace MLComponents.Samples;

/// <summary>Counts in the samples' notes: "1 row", "2 rows".</summary>
public static class Plural
{
    /// <summary><paramref name="n"/> and the noun, with an s unless n is 1.</summary>
    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
