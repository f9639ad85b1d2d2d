namespace MLComponents.Benchmarks.Suite;

/// <summary>A labelled text of a classification task.</summary>
/// <param name="Label">Class name.</param>
/// <param name="Text">Words separated by single spaces (no tab, no line break).</param>
public sealed record LabelledText(string Label, string Text);

/// <summary>A sentence pair of a similarity task, with a label in [0, 1].</summary>
public sealed record ScoredPair(string Sentence1, string Sentence2, float Label);

/// <summary>
/// A test length of the suite: sequences of <see cref="Min"/>..<see cref="Max"/> tokens. "1x" is the training range; the longer
/// ones end at 4, 8 and 16 times the longest training sequence (32 tokens).
/// </summary>
public sealed record LengthBucket(string Name, int Min, int Max)
{
    /// <summary>The longest training sequence of every length-tested task.</summary>
    public const int TrainMax = 32;

    /// <summary>
    /// The longer test lengths: up to 4x, 8x, 16x and 5x <see cref="TrainMax"/>, each over the top fifth-ish of its range. 5x
    /// (the length line) is listed last: each file's generator is seeded by its place in this list, so adding it kept
    /// the 4x, 8x and 16x files of earlier runs.
    /// </summary>
    public static IReadOnlyList<LengthBucket> Longer { get; } =
        [new("4x", 100, 4 * TrainMax), new("8x", 200, 8 * TrainMax), new("16x", 400, 16 * TrainMax), new("5x", 130, 5 * TrainMax)];
}

/// <summary>What a task trains: a classifier (accuracy) or a sentence-similarity model (Spearman).</summary>
public enum SuiteTaskKind
{
    /// <summary>Multiclass classification of one text.</summary>
    Classification,

    /// <summary>Similarity of two texts, label in [0, 1].</summary>
    Similarity,
}

/// <summary>The sizes a task is generated with: full suite or --quick.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Test">Test rows at training lengths.</param>
/// <param name="LongTest">Test rows per longer length.</param>
/// <param name="Fillers">How many of the task's filler words the rows draw from: 0 (all, the suite's setting) or the first N.</param>
public sealed record TaskSize(int Train, int Test, int LongTest, int Fillers = 0)
{
    /// <summary>A quarter of the rows (at least 200 / 100 / 50).</summary>
    public TaskSize Quick() => new(Math.Max(200, Train / 4), Math.Max(100, Test / 4), Math.Max(50, LongTest / 3), Fillers);
}

/// <summary>The data of one task: training rows and test sets by length name ("1x", "4x", ...).</summary>
public sealed record TaskData(
    IReadOnlyList<LabelledText>? Train, IReadOnlyDictionary<string, IReadOnlyList<LabelledText>>? Tests,
    IReadOnlyList<ScoredPair>? TrainPairs, IReadOnlyDictionary<string, IReadOnlyList<ScoredPair>>? TestPairs);

/// <summary>A task of the suite: its name, what it tests, its kind, and how its data is made.</summary>
/// <param name="Name">Short name used on the command line and in the table.</param>
/// <param name="Description">One line: what decides the label, and where a bag of words stands.</param>
/// <param name="Kind">Classification or similarity.</param>
/// <param name="Size">Rows generated.</param>
/// <param name="TestsLength">True when the task has test sets at 4x, 8x and 16x the training length.</param>
/// <param name="Make">Makes the data for a size, the chosen longer lengths and a seed; null when the task cannot run here (with <see cref="Unavailable"/>).</param>
public sealed record SuiteTask(string Name, string Description, SuiteTaskKind Kind, TaskSize Size, bool TestsLength,
    Func<TaskSize, IReadOnlyList<LengthBucket>, int, TaskData> Make)
{
    /// <summary>Why the task cannot run on this machine (a missing package), or null.</summary>
    public Func<string?> Unavailable { get; init; } = () => null;

    /// <summary>How many filler words the task's rows draw from (0: the task has no filler vocabulary; <c>--fillers</c> skips it).</summary>
    public int FillerWords { get; init; }

    /// <summary>Every task, in table order.</summary>
    public static IReadOnlyList<SuiteTask> All { get; } = [.. WordOrderTasks.All, FortunesCorpus.Task, .. SimilarityTasks.All];
}
