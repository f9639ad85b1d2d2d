using Microsoft.ML;
using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// Training rows read from an IDataView again every epoch instead of held in memory: a first pass counts the labelled
/// rows (and checks every token id, so a bad row fails before training starts), then each epoch streams the view through
/// a bounded <see cref="ShuffleBuffer{T}"/> and hands the trainer chunks it length-buckets. Memory is the buffer (about
/// <c>bufferRows</c> x (MaxTokens x 4 + 40) bytes) whatever the view's size. The view must give the same rows on every
/// pass (files and databases do).
/// </summary>
internal sealed class StreamedTokenSequences : ClassifierTrainingData
{
    private readonly IDataView _data;
    private readonly DataViewSchema.Column _label, _tokens;
    private readonly int _maxTokens, _bufferRows;
    private readonly string _setName;

    public StreamedTokenSequences(IDataView data, DataViewSchema.Column label, DataViewSchema.Column tokens, int maxTokens, int bufferRows, string setName,
        ClsTokenRule? cls = null)
    {
        _data = data;
        _label = label;
        _tokens = tokens;
        _maxTokens = maxTokens;
        _bufferRows = bufferRows;
        _setName = setName;
        Scan = new TokenSequenceColumns.ReadCounts { Cls = cls };
        foreach (var _ in TokenSequenceColumns.Rows(data, label, tokens, maxTokens, setName, Scan))
        {
        }
    }

    /// <summary>What the first pass saw (row count, truncated, skipped, empty, largest id).</summary>
    public TokenSequenceColumns.ReadCounts Scan { get; }

    private HashSet<long>? _heldOut;

    public override long Count => Scan.Rows - (_heldOut?.Count ?? 0);

    /// <summary>
    /// Leaves the rows with these labelled-row ordinals out of training from now on and returns them, read into memory
    /// by one more pass, to validate on.
    /// </summary>
    public TokenSequenceColumns.Labelled HoldOut(HashSet<long> ordinals)
    {
        _heldOut = ordinals;
        var sequences = new List<int[]>();
        var labels = new List<int>();
        var counts = new TokenSequenceColumns.ReadCounts();
        foreach (var (ids, y) in TokenSequenceColumns.Rows(_data, _label, _tokens, _maxTokens, _setName, counts, ordinals.Contains))
        {
            sequences.Add(ids);
            labels.Add(y);
        }
        return new TokenSequenceColumns.Labelled(sequences, labels, 0, 0, 0, counts.MaxId);
    }

    public override IEnumerable<LabelledChunk> Epoch(Random rng, int chunkRows)
    {
        var sequences = new List<int[]>(chunkRows);
        var labels = new List<int>(chunkRows);
        var held = _heldOut;
        var rows = TokenSequenceColumns.Rows(_data, _label, _tokens, _maxTokens, _setName, new TokenSequenceColumns.ReadCounts(),
            held is null ? null : i => !held.Contains(i));
        return StreamedChunks.Epoch(rows, _bufferRows, rng, chunkRows, new LabelledChunk(sequences, labels), row =>
        {
            sequences.Add(row.Ids);
            labels.Add(row.Label);
        }, () =>
        {
            sequences.Clear();
            labels.Clear();
        }, Count, _setName);
    }
}
