using System.Text;

namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// A real-text multi-class corpus: fortune cookies of six categories of Debian's <c>fortunes</c> and <c>fortunes-min</c>
/// packages (<c>apt-get install fortunes fortunes-min</c>), the label being the category file. Only fortunes of at most
/// <see cref="MaxWords"/> words are kept, so no sequence is truncated; the rows are split 80/20 with a fixed seed.
/// </summary>
public static class FortunesCorpus
{
    /// <summary>Where the packages put the category files.</summary>
    public const string Folder = "/usr/share/games/fortunes";

    /// <summary>Longest fortune kept, in whitespace-separated words.</summary>
    public const int MaxWords = 60;

    private static readonly string[] Categories = ["computers", "definitions", "people", "politics", "science", "songs-poems"];

    /// <summary>The suite task.</summary>
    public static SuiteTask Task { get; } = new("fortunes",
        $"real text: the category of a fortune cookie ({string.Join(", ", Categories)}; Debian's fortunes packages, <= {MaxWords} words)",
        SuiteTaskKind.Classification, new TaskSize(0, 0, 0), TestsLength: false, Make)
    {
        Unavailable = () => Categories.All(c => File.Exists(Path.Combine(Folder, c)))
            ? null
            : $"needs Debian's fortune files in {Folder} (apt-get install fortunes fortunes-min)",
    };

    private static TaskData Make(TaskSize size, IReadOnlyList<LengthBucket> longer, int seed)
    {
        var rows = Categories.SelectMany(c => Read(Path.Combine(Folder, c)).Select(text => new LabelledText(c, text))).ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
        int test = rows.Count / 5;
        // --quick takes a quarter of each split.
        bool quick = size.Train > 0;
        var train = rows.Skip(test).Take(quick ? (rows.Count - test) / 4 : int.MaxValue).ToList();
        var tests = rows.Take(quick ? test / 4 : test).ToList();
        return new TaskData(train, new Dictionary<string, IReadOnlyList<LabelledText>> { ["1x"] = tests }, null, null);
    }

    /// <summary>The fortunes of one file (entries end at a line holding '%'), each on one line with single spaces.</summary>
    private static IEnumerable<string> Read(string path)
    {
        var entry = new StringBuilder();
        foreach (string line in File.ReadLines(path, Encoding.Latin1).Append("%"))
        {
            if (line != "%")
            {
                // Overstruck text (x BACKSPACE x) keeps its letters; tabs become spaces.
                entry.Append(' ');
                foreach (char ch in line) entry.Append(char.IsControl(ch) ? (ch == '\t' ? ' ' : '\0') : ch);
                entry.Replace("\0", "");
                continue;
            }
            string[] words = entry.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            entry.Clear();
            // Lines starting with // are comments to ML.NET's TextLoader; no fortune needs its leading slashes.
            if (words.Length > 0 && words.Length <= MaxWords) yield return string.Join(' ', words).TrimStart('/');
        }
    }
}
