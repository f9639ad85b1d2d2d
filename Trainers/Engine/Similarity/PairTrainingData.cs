namespace MLComponents.Engine;

/// <summary>
/// The training pairs of a siamese trainer, held in memory (<see cref="InMemory"/>) or streamed (read again from their
/// source every epoch, a bounded number at a time; see <see cref="TrainingData{TChunk}"/>). A chunk is a
/// <see cref="SentencePairs"/>: both sides already truncated to MaxTokens, one finite label per pair.
/// </summary>
public abstract class PairTrainingData : TrainingData<SentencePairs>
{
    /// <summary>Pairs held in memory: one chunk per epoch, the whole set (the trainer's batch plan covers all of it).</summary>
    public static PairTrainingData InMemory(SentencePairs pairs) => new InMemoryData(pairs ?? throw new ArgumentNullException(nameof(pairs)));

    private sealed class InMemoryData(SentencePairs pairs) : PairTrainingData
    {
        public override long Count => pairs.Count;

        internal override SentencePairs? All => pairs;

        public override IEnumerable<SentencePairs> Epoch(Random rng, int chunkRows)
        {
            yield return pairs;
        }
    }
}

/// <summary>
/// An epoch of padded pair batches (see <see cref="ChunkedEpoch{TChunk}"/>): bucketed by the longer side, since both sides
/// share one padded batch of 2 x batch size sequences (first sides, then second sides).
/// </summary>
internal sealed class PairEpochBatches(PairTrainingData data, int batchSize, int maxTokens, int bucketBatches)
    : ChunkedEpoch<SentencePairs>(data, batchSize, bucketBatches)
{
    private readonly float[] _labels = new float[batchSize];

    /// <summary>The current batch: its first half the first sentences, its second half the second (valid until the enumeration moves on).</summary>
    public PaddedBatch Batch { get; } = new PaddedBatch(2 * batchSize, maxTokens);

    /// <summary>Pairs in the current batch.</summary>
    public int Pairs { get; private set; }

    /// <summary>The current batch's labels.</summary>
    public ReadOnlySpan<float> Labels => _labels.AsSpan(0, Pairs);

    protected override int Rows(SentencePairs chunk) => chunk.Count;

    protected override int Length(SentencePairs chunk, int i) => Math.Max(chunk.First[i].Length, chunk.Second[i].Length);

    protected override void Fill(SentencePairs chunk, int start, int count, int[] order)
    {
        Batch.FillPairs(chunk.First, chunk.Second, start, count, order);
        Pairs = count;
        for (int i = 0; i < count; i++)
        {
            _labels[i] = chunk.Labels[order[start + i]];
        }
    }
}
