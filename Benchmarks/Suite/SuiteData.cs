using System.Globalization;

namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// Writes a task's data as TSV files with a header row (classification: <c>Label</c>, <c>Text</c>; similarity: <c>Sentence1</c>,
/// <c>Sentence2</c>, <c>Label</c>) under <c>folder/task/</c>: <c>train.tsv</c> and <c>test_1x.tsv</c>, <c>test_4x.tsv</c>...
/// Both our run (through ML.NET's TextLoader) and the PyTorch peer (Benchmarks/Suite/peer.py) read these same files.
/// </summary>
public static class SuiteData
{
    /// <summary>
    /// Holds <paramref name="folder"/> (created if missing) for one run: an exclusive lock on its <c>.suite.lock</c> file,
    /// released when the returned handle is disposed or the process ends. Null when another run holds it.
    /// </summary>
    public static IDisposable? Hold(string folder)
    {
        Directory.CreateDirectory(folder);
        try
        {
            return new FileStream(Path.Combine(folder, ".suite.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Writes the files and returns the task's folder. Each file appears whole (written aside, then renamed).</summary>
    public static string Write(string folder, SuiteTask task, TaskData data)
    {
        string dir = Path.Combine(folder, task.Name);
        Directory.CreateDirectory(dir);
        foreach (var old in Directory.GetFiles(dir, "*.tsv")) File.Delete(old);
        if (task.Kind == SuiteTaskKind.Classification)
        {
            WriteWhole(Path.Combine(dir, "train.tsv"), w => Classification(w, data.Train!));
            foreach (var (name, rows) in data.Tests!) WriteWhole(Path.Combine(dir, $"test_{name}.tsv"), w => Classification(w, rows));
        }
        else
        {
            WriteWhole(Path.Combine(dir, "train.tsv"), w => Pairs(w, data.TrainPairs!));
            foreach (var (name, rows) in data.TestPairs!) WriteWhole(Path.Combine(dir, $"test_{name}.tsv"), w => Pairs(w, rows));
        }
        WriteWhole(Path.Combine(dir, "task.txt"), w => w.Write($"{task.Name}\t{task.Kind}\t{task.Description}\n"));
        return dir;
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file beside it, renamed over the target when complete, so no reader
    /// sees it half-written and a failed write leaves nothing behind.
    /// </summary>
    internal static void WriteWhole(string path, Action<StreamWriter> write)
    {
        string part = path + ".part";
        try
        {
            using (var w = new StreamWriter(part)) write(w);
            File.Move(part, path, overwrite: true);
        }
        finally
        {
            File.Delete(part);
        }
    }

    /// <summary>The test files of a task folder as (length name, path), in the order 1x, 4x, 5x, 8x, 16x.</summary>
    public static IReadOnlyList<(string Name, string Path)> TestFiles(string dir) =>
        [.. Directory.GetFiles(dir, "test_*.tsv")
            .Select(p => (Name: Path.GetFileNameWithoutExtension(p)["test_".Length..], Path: p))
            .OrderBy(t => int.Parse(t.Name.TrimEnd('x'), CultureInfo.InvariantCulture))];

    private static void Classification(StreamWriter w, IReadOnlyList<LabelledText> rows)
    {
        w.Write("Label\tText\n");
        foreach (var r in rows) w.Write($"{Clean(r.Label)}\t{Clean(r.Text)}\n");
    }

    private static void Pairs(StreamWriter w, IReadOnlyList<ScoredPair> rows)
    {
        w.Write("Sentence1\tSentence2\tLabel\n");
        foreach (var r in rows) w.Write(string.Create(CultureInfo.InvariantCulture, $"{Clean(r.Sentence1)}\t{Clean(r.Sentence2)}\t{r.Label:R}\n"));
    }

    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
