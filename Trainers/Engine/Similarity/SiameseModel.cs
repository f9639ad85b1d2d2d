using System.Numerics.Tensors;
using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// A siamese (bi-)encoder for sentence similarity: one shared <see cref="TransformerEncoder"/>, mean (or CLS)
/// pooling, cosine similarity of the two pooled embeddings, mapped to the label range by <see cref="Range"/>.
/// </summary>
/// <remarks>
/// A batch of P pairs runs as ONE encoder pass over 2P sequences (rows 0..P-1 the first sentences, rows P..2P-1
/// the second ones, see <see cref="PaddedBatch.FillPairs"/>). The encoder keeps one set of activations, so this is
/// how both sides can be back-propagated: the gradients of both passes add up in the shared weights, exactly as two
/// separate passes with accumulated gradients would (padding is masked, so a sequence's states do not depend on the
/// batch it shares).
/// </remarks>
public sealed class SiameseModel
{
    private float[] _pooled = [], _dPooled = [], _dHidden = [], _cos = [], _dCos = [], _normU = [], _normV = [];
    private int _pairs;

    /// <summary>Builds the model with seeded initial weights (see <see cref="TransformerEncoder"/>).</summary>
    public SiameseModel(TransformerConfig config, PositionEncoding? positionEncoding, int seed, ScoreRange range, Pooling pooling = Pooling.Mean)
        : this(new TransformerEncoder(config, positionEncoding, seed), range, pooling)
    {
    }

    /// <summary>Wraps an existing encoder (its weights are used, not copied).</summary>
    public SiameseModel(TransformerEncoder encoder, ScoreRange range, Pooling pooling = Pooling.Mean)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (!(range.Max > range.Min) || !float.IsFinite(range.Min) || !float.IsFinite(range.Max))
        {
            throw new ArgumentException($"The score range must be finite with Max > Min, got [{range.Min}, {range.Max}].", nameof(range));
        }
        Encoder = encoder;
        Range = range;
        Pooling = pooling;
    }

    /// <summary>The shared encoder.</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>How cosine maps to the label scale.</summary>
    public ScoreRange Range { get; }

    /// <summary>How token states are pooled into a sentence embedding.</summary>
    public Pooling Pooling { get; }

    /// <summary>All parameters (the encoder's; the head has none).</summary>
    public IReadOnlyList<Parameter> Parameters => Encoder.Parameters;

    /// <summary>Threads for the encoder.</summary>
    public int Threads
    {
        get => Encoder.Threads;
        set => Encoder.Threads = Math.Max(1, value);
    }

    /// <summary>Embedding width D.</summary>
    public int Dimension => Encoder.Config.ModelDimension;

    /// <summary>Cosines [P] of the last <see cref="ForwardPairs"/>.</summary>
    public ReadOnlySpan<float> Cosines => _cos.AsSpan(0, _pairs);

    /// <summary>Plans every buffer for batches of up to <paramref name="pairs"/> pairs (2 x pairs sequences).</summary>
    public void Plan(int pairs)
    {
        Encoder.Plan(2 * pairs);
        int d = Dimension;
        if (_cos.Length < pairs)
        {
            _pooled = new float[2 * pairs * d];
            _dPooled = new float[2 * pairs * d];
            _dHidden = new float[2 * pairs * Encoder.Config.MaxTokens * d];
            _cos = new float[pairs];
            _dCos = new float[pairs];
            _normU = new float[pairs];
            _normV = new float[pairs];
        }
    }

    /// <summary>
    /// Forward on stacked ids[2P,T] (first sentences then second sentences) with lengths[2P]; returns cos[P]
    /// (a view of an internal buffer, valid until the next call).
    /// </summary>
    public ReadOnlySpan<float> ForwardPairs(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int pairs, int length, bool training, long step = 0) =>
        Pairs(ids, lengths, pairs, length, training, keep: true, step);

    private ReadOnlySpan<float> Pairs(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int pairs, int length, bool training, bool keep, long step)
    {
        Plan(pairs);
        _pairs = pairs;
        int d = Dimension;
        if (keep)
        {
            Encoder.Forward(ids, lengths, 2 * pairs, length, training, step);
        }
        else
        {
            Encoder.Infer(ids, lengths, 2 * pairs, length);
        }
        PoolingLayer.Forward(Pooling, Encoder.Output, lengths, _pooled, 2 * pairs, length, d);
        var pooled = _pooled.AsSpan(0, 2 * pairs * d);
        CosineSimilarity.Forward(pooled[..(pairs * d)], pooled[(pairs * d)..], _cos, _normU, _normV, pairs, d);
        return _cos.AsSpan(0, pairs);
    }

    /// <summary>The loss of the last forward against labels[P], storing dL/dcos for <see cref="Backward"/>.</summary>
    public double Loss(ReadOnlySpan<float> labels, SimilarityLoss loss, float coSentScale = SimilarityLosses.DefaultCoSentScale) => loss switch
    {
        SimilarityLoss.MeanSquaredError => SimilarityLosses.MeanSquaredError(_cos, labels, Range, _dCos, _pairs),
        SimilarityLoss.CoSent => SimilarityLosses.CoSent(_cos, labels, coSentScale, _dCos, _pairs),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown similarity loss."),
    };

    /// <summary>Back-propagates the last <see cref="Loss"/> through cosine, pooling and both encoder passes (adds into gradients).</summary>
    public void Backward()
    {
        int pairs = _pairs, d = Dimension;
        var pooled = _pooled.AsSpan(0, 2 * pairs * d);
        var dPooled = _dPooled.AsSpan(0, 2 * pairs * d);
        CosineSimilarity.Backward(_dCos, pooled[..(pairs * d)], pooled[(pairs * d)..], _cos, _normU, _normV,
            dPooled[..(pairs * d)], dPooled[(pairs * d)..], pairs, d);
        PoolingLayer.Backward(Pooling, _dPooled, Encoder.Lengths, _dHidden, 2 * pairs, Encoder.Length, d);
        Encoder.Backward(_dHidden);
    }

    /// <summary>
    /// Opt-in: <see cref="ZeroGrad"/> clears only the token-embedding rows backward passes wrote (see
    /// <see cref="TransformerEncoder.TokenRows"/>); pairs with <see cref="AdamW.UpdateRowsOnly"/>.
    /// </summary>
    public bool SparseEmbeddingGradients { get; set; }

    /// <summary>Clears every parameter gradient (only the touched embedding rows with <see cref="SparseEmbeddingGradients"/>).</summary>
    public void ZeroGrad() => Encoder.ZeroGrad(SparseEmbeddingGradients);

    /// <summary>
    /// Scores (cosine mapped to the label range) of pairs (first[i], second[i]) into <paramref name="scores"/>, in
    /// batches of up to <paramref name="batchSize"/> pairs. Sequences must hold 1..MaxTokens ids.
    /// </summary>
    public void Predict(IReadOnlyList<int[]> first, IReadOnlyList<int[]> second, Span<float> scores, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
        {
            throw new ArgumentException($"{first.Count} first sentences for {second.Count} second sentences.", nameof(second));
        }
        if (scores.Length < first.Count)
        {
            throw new ArgumentException($"scores must hold {first.Count} values.", nameof(scores));
        }
        var batch = new PaddedBatch(2 * batchSize, Encoder.Config.MaxTokens);
        for (int start = 0; start < first.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, first.Count - start);
            batch.FillPairs(first, second, start, n, null);
            var cos = Pairs(batch.Ids, batch.Lengths, n, batch.Length, training: false, keep: false, step: 0);
            for (int i = 0; i < n; i++)
            {
                scores[start + i] = Range.ToScore(cos[i]);
            }
        }
    }

    /// <summary>
    /// Sentence embeddings [count, D] of <paramref name="sequences"/> into <paramref name="output"/>, L2-normalised
    /// when <paramref name="normalize"/> (see <see cref="SentenceEmbedder"/>).
    /// </summary>
    public void Embed(IReadOnlyList<int[]> sequences, Span<float> output, bool normalize, int batchSize = 32) =>
        SentenceEmbedder.Embed(Encoder, Pooling, sequences, output, normalize, batchSize);

    /// <summary>Scales each D-wide row of <paramref name="rows"/> to unit L2 norm (rows of norm ~0 are left as they are).</summary>
    internal static void NormalizeRows(Span<float> rows, int count, int dim)
    {
        for (int i = 0; i < count; i++)
        {
            var r = rows.Slice(i * dim, dim);
            float n = TensorPrimitives.Norm(r);
            if (n > CosineSimilarity.MinNorm)
            {
                TensorPrimitives.Multiply(r, 1f / n, r);
            }
        }
    }
}
