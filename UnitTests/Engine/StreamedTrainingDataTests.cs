using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// The bounded shuffle buffer and the chunked epochs behind streamed training: every example once per epoch, never more
/// than the buffer held, the batch count of the in-memory plan, and a source that changes between passes refused.
/// </summary>
[TestClass]
public sealed class StreamedTrainingDataTests
{
    /// <summary>A stream of 0..count-1 that records how many items it has given out and how far ahead of the consumer it ran.</summary>
    private sealed class CountingStream(int count) : IEnumerator<int>
    {
        public int Given { get; private set; }

        public int Current { get; private set; } = -1;

        object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (Given == count) return false;
            Current = Given++;
            return true;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    [TestMethod]
    [DataRow(1000, 64, 16)]
    [DataRow(1000, 100, 100)]
    [DataRow(37, 64, 16)]
    [DataRow(5, 1, 1)]
    public void ShuffleBuffer_GivesEveryItemOnce_HoldingNoMoreThanItsCapacity(int count, int capacity, int chunkRows)
    {
        var buffer = new ShuffleBuffer<int>(capacity);
        var stream = new CountingStream(count);
        var seen = new List<int>();
        var chunkSizes = new List<int>();
        int taken = 0;
        foreach (int n in buffer.Chunks(stream, new Random(3), chunkRows, item =>
        {
            seen.Add(item);
            taken++;
            // Items the stream gave out that the consumer has not taken yet sit in the buffer.
            Assert.IsTrue(stream.Given - taken < capacity, $"buffer held {stream.Given - taken} items, capacity {capacity}");
        }))
        {
            chunkSizes.Add(n);
        }

        CollectionAssert.AreEquivalent(Enumerable.Range(0, count).ToList(), seen, "every item exactly once");
        Assert.IsTrue(chunkSizes.Take(chunkSizes.Count - 1).All(n => n == chunkRows), "every chunk but the last is full");
        Assert.AreEqual(count, chunkSizes.Sum());
        if (capacity > 1 && count > 2 * capacity)
        {
            // Shuffled, but only within reach of the buffer: no item comes out before the stream has reached it.
            Assert.IsFalse(seen.SequenceEqual(Enumerable.Range(0, count)), "the order changed");
            for (int i = 0; i < seen.Count; i++)
                Assert.IsTrue(seen[i] < i + capacity + chunkRows, $"item {seen[i]} came out at position {i}, before the buffer could hold it");
        }
    }

    [TestMethod]
    public void ShuffleBuffer_SameSeedSameOrder_OtherSeedOtherOrder()
    {
        List<int> Run(int seed)
        {
            var list = new List<int>();
            foreach (var _ in new ShuffleBuffer<int>(50).Chunks(new CountingStream(300), new Random(seed), 20, list.Add))
            {
            }
            return list;
        }
        CollectionAssert.AreEqual(Run(7), Run(7));
        CollectionAssert.AreNotEqual(Run(7), Run(8));
    }

    /// <summary>A streamed source over arrays: each epoch re-reads them through a shuffle buffer; may lie about its count.</summary>
    private sealed class ArrayStream(int[][] sequences, int[] labels, int capacity, int countShift = 0) : ClassifierTrainingData
    {
        public int Passes { get; private set; }

        public override long Count => sequences.Length + countShift;

        public override IEnumerable<LabelledChunk> Epoch(Random rng, int chunkRows)
        {
            Passes++;
            var s = new List<int[]>();
            var l = new List<int>();
            var rows = Enumerable.Range(0, sequences.Length).GetEnumerator();
            foreach (var _ in new ShuffleBuffer<int>(Math.Max(capacity, chunkRows)).Chunks(rows, rng, chunkRows, i =>
            {
                s.Add(sequences[i]);
                l.Add(labels[i]);
            }))
            {
                yield return new LabelledChunk(s, l);
                s.Clear();
                l.Clear();
            }
        }
    }

    private static SequenceClassifierOptions Options(int epochs, int classes = 2, int vocabulary = OrderTask.Vocabulary) => new()
    {
        Layers = 1, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f, MaxTokens = 12, Epochs = epochs,
        BatchSize = 16, BucketBatches = 4, LearningRate = 3e-3f, Seed = 5, Threads = 1, Classes = classes, Vocabulary = vocabulary,
        PositionEncoding = PositionEncoding.Rotary(),
    };

    [TestMethod]
    public void StreamedTraining_LearnsTheOrderTask_ReadingTheSourceOncePerEpoch_WithTheInMemoryStepCount()
    {
        var (train, trainLabels) = OrderTask.Make(1000, 1);
        var (test, testLabels) = OrderTask.Make(300, 2);
        // Chunks of 64 rows (16 x 4) drawn from a 100-row buffer: the trainer never sees the set whole.
        var source = new ArrayStream(train, trainLabels, capacity: 100);
        var steps = new List<long>();
        var model = new SequenceClassifierTrainer(Options(epochs: 8)).Fit(source, progress: new Progress(p => { if (p.EpochEnd) steps.Add(p.Step); }));

        Assert.AreEqual(8, source.Passes, "one pass per epoch");
        CollectionAssert.AreEqual(Enumerable.Range(1, 8).Select(e => e * 63L).ToList(), steps, "ceil(1000 / 16) = 63 steps per epoch, as in memory");
        var (accuracy, _) = SequenceClassifierTrainer.Evaluate(model, test, testLabels);
        Assert.IsTrue(accuracy >= 0.95, $"streamed RoPE test accuracy {accuracy:0.000}");
    }

    [TestMethod]
    public void StreamedTraining_NeedsClassesAndVocabulary_AndRefusesASourceThatChangesBetweenPasses()
    {
        var (train, labels) = OrderTask.Make(100, 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new SequenceClassifierTrainer(Options(1, classes: 0)).Fit(new ArrayStream(train, labels, 50))).Message, "Option 'Classes'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new SequenceClassifierTrainer(Options(1, vocabulary: 0)).Fit(new ArrayStream(train, labels, 50))).Message, "Option 'Vocabulary'");
        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            new SequenceClassifierTrainer(Options(1)).Fit(new ArrayStream(train, labels, 50, countShift: 40)));
        StringAssert.Contains(e.Message, "gave 7 batches");
        var bad = train.Select(s => (int[])s.Clone()).ToArray();
        bad[70][0] = OrderTask.Vocabulary + 3;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new SequenceClassifierTrainer(Options(1)).Fit(new ArrayStream(bad, labels, 50))).Message, $"token id {OrderTask.Vocabulary + 3}");
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
