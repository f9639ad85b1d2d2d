using System.Collections.Concurrent;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// Many threads over one loaded model: 8 threads, each with its own PredictionEngine over the same loaded classifier and
/// similarity pipelines, the shared SentenceEmbeddingGenerator under 8 threads, and parallel cursors (GetRowCursorSet) over
/// TokenizeToIds, the featurisers, the classifier's scorer and EmbedSentences. Every result must be bit for bit the
/// single-threaded one, with no exception. The 60-second version with memory figures is Benchmarks/ConcurrencyLoad.
/// </summary>
[TestClass]
public sealed class ConcurrencyTests
{
    private const int Threads = 8;
    private static readonly Lazy<ConcurrencyWorkload> Workload = new(() => ConcurrencyWorkload.Create());

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Workload.IsValueCreated) Workload.Value.Dispose();
    }

    private static void AssertClean(ConcurrencyWorkload.RunResult run, string what)
    {
        Assert.IsEmpty(run.Errors, $"{what}: {string.Join("\n", run.Errors.Take(3))}");
        Assert.AreEqual(0, run.Mismatches, $"{what}: results that differ from the single-threaded ones, in {run.Rounds} rounds");
        Assert.IsGreaterThanOrEqualTo((long)Threads, run.Rounds);
    }

    [TestMethod]
    public void Classifier_EightThreadsEachWithItsOwnPredictionEngine_GiveTheSingleThreadedScoresBitForBit()
    {
        var run = ConcurrencyWorkload.RunThreads(Workload.Value, Threads, r => r < 6, (w, r) => w.ClassifyAll(offset: r * 7));

        AssertClean(run, "classifier");
    }

    [TestMethod]
    public void Similarity_EightThreadsEachWithItsOwnPredictionEngine_GiveTheSingleThreadedScoresBitForBit()
    {
        var run = ConcurrencyWorkload.RunThreads(Workload.Value, Threads, r => r < 6, (w, r) => w.ScoreAll(offset: r * 7));

        AssertClean(run, "similarity");
    }

    [TestMethod]
    public void EmbeddingGenerator_UnderEightThreads_GivesTheSingleThreadedVectorsBitForBit()
    {
        var run = ConcurrencyWorkload.RunThreads(Workload.Value, Threads, r => r < 6, (w, _) => w.EmbedAll());

        AssertClean(run, "embedding generator");
    }

    [TestMethod]
    public void AllThreeAtOnce_OnEightThreads_GiveTheSingleThreadedResults()
    {
        var run = ConcurrencyWorkload.RunThreads(Workload.Value, Threads, r => r < 9, (w, r) => (r % 3) switch
        {
            0 => w.ClassifyAll(r),
            1 => w.ScoreAll(r),
            _ => w.EmbedAll(),
        });

        AssertClean(run, "mixed");
    }

    [TestMethod]
    public void ClassifierModel_CallersThatMeetScoreWithASpareCopy_WithTheSameBits()
    {
        var model = InputTestKit.ClassifierOf(Workload.Value.Classifier);
        var rng = new Random(3);
        var sequences = Enumerable.Range(1, 24).Select(n => Enumerable.Range(0, n).Select(_ => rng.Next(model.VocabularySize)).ToArray()).ToArray();
        var expected = sequences.Select(ids =>
        {
            var p = new float[model.ClassCount];
            model.Predict(ids, p);
            return p;
        }).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long bad = 0;
        var errors = new ConcurrentQueue<Exception>();
        using var start = new Barrier(Threads);
        // Until callers have met on the model (a spare exists) and for at least 200 rounds: a few seconds at most.
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var p = new float[model.ClassCount];
                start.SignalAndWait();
                for (int r = 0; r < 200 || (model.IdleSpares == 0 && clock.Elapsed.TotalSeconds < 20); r++)
                {
                    int i = (r + t) % sequences.Length;
                    model.Predict(sequences[i], p);
                    if (!ConcurrencyWorkload.SameBits(p, expected[i])) Interlocked.Increment(ref bad);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.IsEmpty(errors, string.Join("\n", errors.Take(3)));
        Assert.AreEqual(0, Interlocked.Read(ref bad));
        Assert.IsGreaterThan(0, model.IdleSpares, "callers met, and the one that found the model busy used a spare");
    }

    public static IEnumerable<object[]> CursorSetCases =>
    [
        ["TokenizeToIds", "Tokens"], ["EmbedTokens + Pool", "Pooled"], ["RelativeBias", "Bias"], ["classifier scorer", "Score"], ["EmbedSentences", "Embedding"],
    ];

    [TestMethod]
    [DynamicData(nameof(CursorSetCases))]
    public void ParallelCursors_GiveTheRowsOfOneCursor(string step, string column)
    {
        var ml = new MLContext(seed: 1);
        var texts = ReliabilityModels.Texts(300);
        var input = ml.Data.LoadFromEnumerable(texts.Select(t => new TextInput { Text = t }).ToList());
        var model = step switch
        {
            "classifier scorer" => ReliabilityModels.Classifier,
            "EmbedSentences" => ml.Model.Load(ReliabilityModels.EmbeddingPath, out _),
            _ => ReliabilityModels.Featuriser,
        };
        var view = model.Transform(input);

        var single = column == "Tokens" ? Read<int>(view, column, 1, out _) : Read<float>(view, column, 1, out _);
        var parallel = column == "Tokens" ? Read<int>(view, column, 4, out int cursors) : Read<float>(view, column, 4, out cursors);

        Assert.IsGreaterThan(1, cursors, "GetRowCursorSet gave several cursors");
        Assert.HasCount(texts.Count, single);
        Assert.HasCount(texts.Count, parallel, "every row once");
        foreach (var (id, values) in single)
        {
            Assert.IsTrue(parallel.TryGetValue(id, out var other), $"row {id} read");
            CollectionAssert.AreEqual(values, other, $"{step}: row {id}");
        }
    }

    /// <summary>A vector column by row id, read through <paramref name="n"/> cursors (each on its own thread when several).</summary>
    private static Dictionary<ulong, int[]> Read<T>(IDataView view, string column, int n, out int cursors)
    {
        var col = view.Schema[column];
        var rows = new ConcurrentDictionary<ulong, int[]>();
        var set = n == 1 ? [view.GetRowCursor([col])] : view.GetRowCursorSet([col], n);
        cursors = set.Length;
        var readers = set.Select(cursor => Task.Factory.StartNew(() =>
        {
            using (cursor)
            {
                var get = cursor.GetGetter<VBuffer<T>>(col);
                var id = cursor.GetIdGetter();
                VBuffer<T> v = default;
                DataViewRowId rowId = default;
                while (cursor.MoveNext())
                {
                    get(ref v);
                    id(ref rowId);
                    // Bits, so that a float compares exactly (NaN and -0 included).
                    var bits = v.DenseValues().Select(x => x is float f ? BitConverter.SingleToInt32Bits(f) : (int)(object)x!).ToArray();
                    Assert.IsTrue(rows.TryAdd(rowId.Low, bits), $"row {rowId.Low} read twice");
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(readers);
        return new Dictionary<ulong, int[]>(rows);
    }
}
