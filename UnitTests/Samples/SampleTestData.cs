using System.Text;
using System.Text.RegularExpressions;

// Not MLComponents.UnitTests.Samples: inside MLComponents.UnitTests that name would hide MLComponents.Samples (the sample apps).
namespace MLComponents.UnitTests.SampleApps;

/// <summary>What a sample printed and returned.</summary>
/// <param name="Code">Exit code.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
internal sealed record SampleRun(int Code, string Output, string Error)
{
    /// <summary>Runs a sample's in-process entry point with captured writers.</summary>
    public static SampleRun Of(Func<string[], TextWriter, TextWriter, int> run, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = run(args, output, error);
        return new SampleRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Non-empty lines of standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Standard output lines matching <paramref name="pattern"/>.</summary>
    public Match[] OutputLines(Regex pattern) => [.. pattern.Matches(Output).Cast<Match>()];

    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit {Code}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Data files for the sample tests: real-looking text with quotes in it.</summary>
internal static class SampleTestData
{
    private static readonly string[] Spam = ["win", "money", "cash", "prize", "offer", "free", "lottery"];
    private static readonly string[] Ham = ["meeting", "agenda", "report", "lunch", "project", "schedule", "minutes"];
    private static readonly string[] Filler = ["the", "a", "for", "now", "today", "please", "see", "below", "we", "you", "this", "week"];

    /// <summary>
    /// Spam/ham texts: a class word among filler words, so a few epochs learn it; with <paramref name="quotes"/>, every third text
    /// starts with a quoted reply that goes on after its closing quote (SpamAssassin style) and every third holds a stray quote.
    /// </summary>
    public static List<(string Label, string Text)> SpamOrHam(int count, int seed, bool quotes = true)
    {
        var rng = new Random(seed);
        var rows = new List<(string, string)>(count);
        for (int i = 0; i < count; i++)
        {
            bool spam = rng.Next(2) == 0;
            var words = Enumerable.Range(0, 4 + rng.Next(4)).Select(_ => Filler[rng.Next(Filler.Length)]).ToList();
            words.Insert(rng.Next(words.Count + 1), (spam ? Spam : Ham)[rng.Next(Spam.Length)]);
            string text = string.Join(' ', words);
            if (quotes)
            {
                text = (i % 3) switch
                {
                    0 => $"\"A billion here...\" > Bottom line: {text}",
                    1 => $"{text} he said \"really",
                    _ => text,
                };
            }
            rows.Add((spam ? "spam" : "ham", text));
        }
        return rows;
    }

    /// <summary>Writes rows as they are: tab-separated, quotes untouched (how most real-text TSVs are made).</summary>
    public static string WriteRaw(string dir, string name, string[] header, IEnumerable<string[]> rows)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllLines(path, [string.Join('\t', header), .. rows.Select(r => string.Join('\t', r))]);
        return path;
    }

    /// <summary>
    /// Writes rows as pandas' <c>to_csv(sep='\t')</c> does (QUOTE_MINIMAL): a field holding a tab, a quote or a line break is put
    /// in quotes with its quotes doubled.
    /// </summary>
    public static string WritePandas(string dir, string name, string[] header, IEnumerable<string[]> rows)
    {
        static string Field(string f) => f.AsSpan().IndexOfAny("\t\"\n\r") >= 0 ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f;
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header)) text.Append(string.Join('\t', row.Select(Field))).Append('\n');
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>A fresh temporary directory, deleted by the returned handle.</summary>
    public static TempDirectory TempDirectory() => new(Directory.CreateTempSubdirectory("mlc-samples-").FullName);
}

/// <summary>A temporary directory deleted on dispose.</summary>
/// <param name="Path">Its path.</param>
internal sealed record TempDirectory(string Path) : IDisposable
{
    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
