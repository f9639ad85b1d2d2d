using Microsoft.ML;
using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// Training pairs read from an IDataView again every epoch instead of held in memory: a first pass counts the labelled pairs,
/// checks every token id and label (so a bad row fails, naming its column and row, before training starts) and finds the label
/// range; then each epoch streams the view through a bounded <see cref="ShuffleBuffer{T}"/> and hands the trainer chunks it
/// length-buckets by the longer side. Memory is the buffer (about <c>bufferRows</c> x (MaxTokens x 8 + 80) bytes) whatever the
/// view's size. The view must give the same rows on every pass (files and databases do).
/// </summary>
internal sealed class StreamedSentencePairs : PairTrainingData
{
    private readonly IDataView _data;
    private readonly (DataViewSchema.Column First, DataViewSchema.Column Second, DataViewSchema.Column Label) _columns;
    private readonly int _maxTokens, _bufferRows;
    private readonly string _setName;

    public StreamedSentencePairs(IDataView data, string first, string second, string label, int maxTokens, int bufferRows, string setName,
        ClsTokenRule? cls = null)
    {
        _data = data;
        _columns = PairColumns.Require(data.Schema, first, second, label);
        _maxTokens = maxTokens;
        _bufferRows = bufferRows;
        _setName = setName;
        Scan = new PairColumns.ReadCounts { Cls = cls };
        foreach (var _ in PairColumns.Rows(data, _columns, maxTokens, setName, Scan))
        {
        }
    }

    /// <summary>What the first pass saw (pair count, truncated, skipped, largest id, label range).</summary>
    public PairColumns.ReadCounts Scan { get; }

    public override long Count => Scan.Rows;

    public override IEnumerable<SentencePairs> Epoch(Random rng, int chunkRows)
    {
        var first = new List<int[]>(chunkRows);
        var second = new List<int[]>(chunkRows);
        var labels = new List<float>(chunkRows);
        var rows = PairColumns.Rows(_data, _columns, _maxTokens, _setName, new PairColumns.ReadCounts());
        return StreamedChunks.Epoch(rows, _bufferRows, rng, chunkRows, new SentencePairs(first, second, labels), row =>
        {
            first.Add(row.First);
            second.Add(row.Second);
            labels.Add(row.Label);
        }, () =>
        {
            first.Clear();
            second.Clear();
            labels.Clear();
        }, Count, _setName);
    }
}
