using System.Globalization;

namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// Writes a task's data as TSV files with a header row (classification: <c>Label</c>, <c>Text</c>; similarity: <c>Sentence1</c>,
/// <c>Sentence2</c>, <c>Label</c>) under <c>folder/task/</c>: <c>train.tsv</c> and <c>test_1x.tsv</c>, <c>test_4x.tsv</c>...
/// Both our run (through ML.NET's TextLoader) and the PyTorch peer (Benchmarks/Suite/peer.py) read these same files.
/// </summary>
public static class SuiteData
{
    /// <summary>Writes the files and returns the task's folder.</summary>
    public static string Write(string folder, SuiteTask task, TaskData data)
    {
        string dir = Path.Combine(folder, task.Name);
        Directory.CreateDirectory(dir);
        foreach (var old in Directory.GetFiles(dir, "*.tsv")) File.Delete(old);
        if (task.Kind == SuiteTaskKind.Classification)
        {
            Classification(Path.Combine(dir, "train.tsv"), data.Train!);
            foreach (var (name, rows) in data.Tests!) Classification(Path.Combine(dir, $"test_{name}.tsv"), rows);
        }
        else
        {
            Pairs(Path.Combine(dir, "train.tsv"), data.TrainPairs!);
            foreach (var (name, rows) in data.TestPairs!) Pairs(Path.Combine(dir, $"test_{name}.tsv"), rows);
        }
        File.WriteAllText(Path.Combine(dir, "task.txt"), $"{task.Name}\t{task.Kind}\t{task.Description}\n");
        return dir;
    }

    /// <summary>The test files of a task folder as (length name, path), in the order 1x, 4x, 5x, 8x, 16x.</summary>
    public static IReadOnlyList<(string Name, string Path)> TestFiles(string dir) =>
        [.. Directory.GetFiles(dir, "test_*.tsv")
            .Select(p => (Name: Path.GetFileNameWithoutExtension(p)["test_".Length..], Path: p))
            .OrderBy(t => int.Parse(t.Name.TrimEnd('x'), CultureInfo.InvariantCulture))];

    private static void Classification(string path, IReadOnlyList<LabelledText> rows)
    {
        using var w = new StreamWriter(path);
        w.Write("Label\tText\n");
        foreach (var r in rows) w.Write($"{Clean(r.Label)}\t{Clean(r.Text)}\n");
    }

    private static void Pairs(string path, IReadOnlyList<ScoredPair> rows)
    {
        using var w = new StreamWriter(path);
        w.Write("Sentence1\tSentence2\tLabel\n");
        foreach (var r in rows) w.Write(string.Create(CultureInfo.InvariantCulture, $"{Clean(r.Sentence1)}\t{Clean(r.Sentence2)}\t{r.Label:R}\n"));
    }

    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
