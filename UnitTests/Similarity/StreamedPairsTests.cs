using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Similarity;

/// <summary>
/// Streamed siamese training at the engine level: a pair source read again every epoch through a bounded shuffle buffer gives
/// ceil(N / batch) steps per epoch, ranks the role-pairs task like the in-memory trainer, needs the label range and vocabulary
/// from the options, checks its chunks as they come and refuses a source that changes between passes.
/// </summary>
[TestClass]
public sealed class StreamedPairsTests
{
    /// <summary>Pairs in arrays, re-read every epoch through a shuffle buffer; may lie about its count.</summary>
    internal sealed class ArrayPairs(SentencePairs pairs, int capacity, int countShift = 0) : PairTrainingData
    {
        public int Passes { get; private set; }

        public override long Count => pairs.Count + countShift;

        public override IEnumerable<SentencePairs> Epoch(Random rng, int chunkRows)
        {
            Passes++;
            var first = new List<int[]>();
            var second = new List<int[]>();
            var labels = new List<float>();
            var chunk = new SentencePairs(first, second, labels);
            using var rows = Enumerable.Range(0, pairs.Count).GetEnumerator();
            foreach (var _ in new ShuffleBuffer<int>(Math.Max(capacity, chunkRows)).Chunks(rows, rng, chunkRows, i =>
            {
                first.Add(pairs.First[i]);
                second.Add(pairs.Second[i]);
                labels.Add(pairs.Labels[i]);
            }))
            {
                yield return chunk;
                first.Clear();
                second.Clear();
                labels.Clear();
            }
        }
    }

    private sealed class Progress(Action<SimilarityTrainingProgress> report) : IProgress<SimilarityTrainingProgress>
    {
        public void Report(SimilarityTrainingProgress value) => report(value);
    }

    [TestMethod]
    public void Streamed_GivesTheInMemoryStepCount_ReadsOncePerEpoch_AndRanksAsInMemory()
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(1200, seed: 1));
        var test = RolePairsTask.ToPairs(RolePairsTask.Make(400, seed: 2));
        // Chunks of 64 pairs (16 x 4) drawn from a 150-pair buffer: the trainer never sees the set whole.
        var options = SiameseTrainerTests.Small("rope", epochs: 10) with { BucketBatches = 4 };
        var source = new ArrayPairs(train, capacity: 150);
        var steps = new List<long>();
        var streamed = new SiameseTrainer(options).Fit(source, progress: new Progress(p => { if (p.EpochEnd) steps.Add(p.Step); }));
        var inMemory = new SiameseTrainer(options).Fit(train);

        Assert.AreEqual(10, source.Passes, "one pass per epoch");
        CollectionAssert.AreEqual(Enumerable.Range(1, 10).Select(e => e * 75L).ToList(), steps, "ceil(1200 / 16) = 75 steps per epoch, as in memory");
        double s = SiameseTrainer.Evaluate(streamed, test).Spearman, m = SiameseTrainer.Evaluate(inMemory, test).Spearman;
        Console.WriteLine($"held-out Spearman: streamed {s:F4}, in memory {m:F4}");
        Assert.IsGreaterThanOrEqualTo(0.9, s, "streamed held-out Spearman");
        Assert.IsGreaterThanOrEqualTo(0.9, m, "in-memory held-out Spearman");
    }

    [TestMethod]
    public void InMemorySource_TrainsBitForBitAsTheArrayOverload()
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(300, seed: 1));
        var options = SiameseTrainerTests.Small("rope", epochs: 2) with { Dropout = 0.1f };
        var a = new SiameseTrainer(options).Fit(train);
        var b = new SiameseTrainer(options).Fit(PairTrainingData.InMemory(train));
        for (int i = 0; i < a.Parameters.Count; i++)
            CollectionAssert.AreEqual(a.Parameters[i].Value, b.Parameters[i].Value, $"parameter {i}");
    }

    [TestMethod]
    public void Streamed_NeedsRangeAndVocabulary_ChecksChunks_AndRefusesASourceThatChanges()
    {
        var train = RolePairsTask.ToPairs(RolePairsTask.Make(100, seed: 1));
        var options = SiameseTrainerTests.Small("rope", epochs: 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new SiameseTrainer(options with { LabelMin = null }).Fit(new ArrayPairs(train, 50))).Message, "Option 'LabelMin'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new SiameseTrainer(options with { LabelMax = null }).Fit(new ArrayPairs(train, 50))).Message, "Option 'LabelMax'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new SiameseTrainer(options with { Vocabulary = 0 }).Fit(new ArrayPairs(train, 50))).Message, "Option 'Vocabulary'");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() =>
            new SiameseTrainer(options).Fit(new ArrayPairs(train, 50, countShift: 40))).Message, "gave 7 batches");
        var bad = new SentencePairs(train.First, [.. train.Second.Select((s, i) => i == 70 ? [RolePairsTask.Vocabulary + 3] : s)], train.Labels);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new SiameseTrainer(options).Fit(new ArrayPairs(bad, 50))).Message, $"second sentence has token id {RolePairsTask.Vocabulary + 3}");
    }
}
