namespace MLComponents.Engine;

/// <summary>
/// The training examples of a trainer, either held in memory (one chunk per epoch, the whole set) or read again from their
/// source every epoch (a streaming source such as the ML.NET trainers' IDataView readers). A trainer asks for an epoch as a
/// series of chunks and length-buckets and shuffles within each chunk, so a streaming source only ever holds a bounded
/// number of rows. <see cref="ClassifierTrainingData"/> and <see cref="PairTrainingData"/> are the two kinds.
/// </summary>
/// <typeparam name="TChunk">A chunk of examples (<see cref="LabelledChunk"/> or <see cref="SentencePairs"/>).</typeparam>
public abstract class TrainingData<TChunk>
    where TChunk : class
{
    /// <summary>Examples per epoch (every one is used exactly once per epoch).</summary>
    public abstract long Count { get; }

    /// <summary>
    /// The epoch's examples as chunks. <paramref name="chunkRows"/> is a multiple of the batch size, and every chunk
    /// but the last holds exactly that many rows, so an epoch has ceil(Count / batch size) batches whichever way the
    /// examples are held. The chunk's lists may be reused by the next chunk: the trainer consumes a chunk before it
    /// asks for the next. Draws on <paramref name="rng"/> for the order.
    /// </summary>
    public abstract IEnumerable<TChunk> Epoch(Random rng, int chunkRows);

    /// <summary>The examples when they are held in memory, or null for a streaming source.</summary>
    internal virtual TChunk? All => null;
}

/// <summary>
/// The training examples of a classifier trainer: token-id sequences (each 1..MaxTokens ids) with 0-based labels,
/// held in memory (<see cref="InMemory"/>) or streamed (see <see cref="TrainingData{TChunk}"/>).
/// </summary>
public abstract class ClassifierTrainingData : TrainingData<LabelledChunk>
{
    /// <summary>Examples held in memory: one chunk per epoch, the whole set (the trainer's batch plan covers all of it).</summary>
    public static ClassifierTrainingData InMemory(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels) => new InMemoryData(sequences, labels);

    private sealed class InMemoryData(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels) : ClassifierTrainingData
    {
        private readonly LabelledChunk _all = new(sequences ?? throw new ArgumentNullException(nameof(sequences)),
            labels ?? throw new ArgumentNullException(nameof(labels)));

        public override long Count => _all.Sequences.Count;

        internal override LabelledChunk? All => _all;

        public override IEnumerable<LabelledChunk> Epoch(Random rng, int chunkRows)
        {
            yield return _all;
        }
    }
}

/// <summary>A chunk of labelled examples.</summary>
/// <param name="Sequences">Token-id sequences.</param>
/// <param name="Labels">0-based labels, one per sequence.</param>
public sealed record LabelledChunk(IReadOnlyList<int[]> Sequences, IReadOnlyList<int> Labels);

/// <summary>
/// A bounded shuffle buffer over a stream of examples: it holds up to <c>capacity</c> of them and hands out chunks of
/// examples drawn at random from what it holds, refilling from the stream as it goes. An example is therefore at most
/// <c>capacity</c> positions from where the stream had it, and the buffer's memory is bounded whatever the stream's
/// length. Deterministic for a seeded <see cref="Random"/> and the same stream.
/// </summary>
/// <typeparam name="T">An example.</typeparam>
public sealed class ShuffleBuffer<T>
{
    private readonly T[] _items;
    private int _count;

    /// <summary>Creates a buffer holding up to <paramref name="capacity"/> examples.</summary>
    public ShuffleBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _items = new T[capacity];
    }

    /// <summary>Most examples held at once.</summary>
    public int Capacity => _items.Length;

    /// <summary>
    /// Chunks of up to <paramref name="chunkRows"/> examples (the last may be smaller) until <paramref name="source"/>
    /// is exhausted and the buffer empty. <paramref name="take"/> receives each chunk's examples in drawn order;
    /// the caller consumes one chunk before moving on.
    /// </summary>
    public IEnumerable<int> Chunks(IEnumerator<T> source, Random rng, int chunkRows, Action<T> take)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(take);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        bool more = true;
        _count = 0;
        while (true)
        {
            while (more && _count < _items.Length)
            {
                more = source.MoveNext();
                if (more) _items[_count++] = source.Current;
            }
            if (_count == 0) yield break;
            int n = Math.Min(chunkRows, _count);
            for (int k = 0; k < n; k++)
            {
                int j = rng.Next(_count);
                take(_items[j]);
                _items[j] = _items[--_count];
                _items[_count] = default!;
            }
            yield return n;
            // Refill what this chunk took before drawing the next one, so every draw sees a full buffer.
        }
    }
}

/// <summary>
/// A streaming source's epoch: its rows read once more, through a <see cref="ShuffleBuffer{T}"/> of at least a chunk, into one
/// chunk object that is filled, handed out and cleared again; a pass that gives another row count than the first is refused.
/// </summary>
internal static class StreamedChunks
{
    public static IEnumerable<TChunk> Epoch<TRow, TChunk>(IEnumerable<TRow> rows, int bufferRows, Random rng, int chunkRows, TChunk chunk,
        Action<TRow> add, Action clear, long expectedRows, string setName)
    {
        var buffer = new ShuffleBuffer<TRow>(Math.Max(bufferRows, chunkRows));
        long given = 0;
        using var source = rows.GetEnumerator();
        foreach (int n in buffer.Chunks(source, rng, chunkRows, add))
        {
            given += n;
            yield return chunk;
            clear();
        }
        if (given != expectedRows)
            throw new InvalidDataException($"The {setName} data gave {given} labelled rows to train on in this pass and {expectedRows} on the first: " +
                "streamed training needs a view that gives the same rows every time it is read.");
    }
}

/// <summary>
/// An epoch of padded batches from <see cref="TrainingData{TChunk}"/>: each chunk the data gives is length-bucketed by
/// <see cref="LengthBuckets"/> (shuffled, sorted by length in runs of BucketBatches batches, cut, batches shuffled). For data
/// held in memory the chunk is the whole set, which is the plan the trainers always made; a streaming source gives chunks of
/// BucketBatches x batch size rows. Checks that the epoch gave ceil(Count / batch size) batches. Buffers are reused from batch
/// to batch; a subclass says how long an example is and fills the batch and its labels.
/// </summary>
internal abstract class ChunkedEpoch<TChunk>
    where TChunk : class
{
    private readonly TrainingData<TChunk> _data;
    private readonly int _bucketBatches;
    private int[] _order = [];

    protected ChunkedEpoch(TrainingData<TChunk> data, int batchSize, int bucketBatches)
    {
        _data = data;
        BatchSize = batchSize;
        _bucketBatches = bucketBatches;
        StepsPerEpoch = (int)((data.Count + batchSize - 1) / batchSize);
    }

    public int BatchSize { get; }

    /// <summary>Batches per epoch: ceil(Count / batch size).</summary>
    public int StepsPerEpoch { get; }

    /// <summary>Examples in a chunk.</summary>
    protected abstract int Rows(TChunk chunk);

    /// <summary>The bucketing length of example <paramref name="i"/> of a chunk.</summary>
    protected abstract int Length(TChunk chunk, int i);

    /// <summary>Fills the current batch with examples order[start..start+count) of a chunk.</summary>
    protected abstract void Fill(TChunk chunk, int start, int count, int[] order);

    /// <summary>
    /// Moves through one epoch; each item is the 1-based index of the batch within the epoch, with the current batch
    /// filled. <paramref name="check"/> sees each chunk before it is used (streamed chunks are checked as they come).
    /// </summary>
    public IEnumerable<int> Epoch(Random rng, Action<TChunk>? check = null)
    {
        int index = 0;
        int chunkRows = (int)Math.Min(int.MaxValue, (long)BatchSize * _bucketBatches);
        foreach (var chunk in _data.Epoch(rng, chunkRows))
        {
            check?.Invoke(chunk);
            int n = Rows(chunk);
            if (_order.Length != n) _order = new int[n];
            var offsets = LengthBuckets.Plan(i => Length(chunk, i), _order, BatchSize, _bucketBatches, rng);
            for (int bi = 0; bi + 1 < offsets.Length; bi++)
            {
                int start = offsets[bi];
                Fill(chunk, start, offsets[bi + 1] - start, _order);
                yield return ++index;
            }
        }
        if (index != StepsPerEpoch)
        {
            throw new InvalidOperationException($"The training data gave {index} batches in an epoch; {StepsPerEpoch} were expected from its count of {_data.Count} rows (did the data change while training?).");
        }
    }
}

/// <summary>An epoch of padded, labelled classifier batches (see <see cref="ChunkedEpoch{TChunk}"/>).</summary>
internal sealed class EpochBatches(ClassifierTrainingData data, int batchSize, int maxTokens, int bucketBatches)
    : ChunkedEpoch<LabelledChunk>(data, batchSize, bucketBatches)
{
    private readonly int[] _labels = new int[batchSize];

    /// <summary>The current batch (valid until the enumeration moves on).</summary>
    public PaddedBatch Batch { get; } = new PaddedBatch(batchSize, maxTokens);

    /// <summary>The current batch's labels.</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, Batch.Count);

    protected override int Rows(LabelledChunk chunk) => chunk.Sequences.Count;

    protected override int Length(LabelledChunk chunk, int i) => chunk.Sequences[i].Length;

    protected override void Fill(LabelledChunk chunk, int start, int count, int[] order)
    {
        Batch.Fill(chunk.Sequences, start, count, order);
        for (int i = 0; i < count; i++)
        {
            _labels[i] = chunk.Labels[order[start + i]];
        }
    }
}
