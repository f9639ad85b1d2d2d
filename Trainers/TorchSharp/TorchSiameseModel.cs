using MLComponents.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// The managed <see cref="SiameseModel"/> in TorchSharp: one shared encoder runs over a stacked batch of 2P sequences
/// (first sentences, then second sentences), pooled embeddings u, v give cos = u.v / (max(|u|, 1e-8) max(|v|, 1e-8)),
/// trained with MSE on min + (max - min) cos or with CoSENT, as <see cref="SimilarityLosses"/>. Not thread-safe: one
/// call at a time.
/// </summary>
public sealed class TorchSiameseModel : nn.Module
{
    private readonly DropoutSource _dropout;

    /// <summary>Builds the model for <paramref name="source"/> and copies its weights; then moves it to <paramref name="device"/>.</summary>
    public TorchSiameseModel(SiameseModel source, Device? device = null, DropoutMasks dropoutMasks = DropoutMasks.Torch) : base("siamese")
    {
        ArgumentNullException.ThrowIfNull(source);
        Encoder = new TorchTransformerEncoder(source.Encoder);
        Range = source.Range;
        Pooling = source.Pooling;
        foreach (var (name, child) in Encoder.named_children())
        {
            register_module(name, child);
        }
        _dropout = new DropoutSource(source.Encoder.Config.Dropout, source.Encoder.Seed, dropoutMasks);
        Device = device ?? CPU;
        if (Device.type != DeviceType.CPU)
        {
            this.to(Device);
        }
    }

    /// <summary>The shared encoder.</summary>
    public TorchTransformerEncoder Encoder { get; }

    /// <summary>Cosine to label scale.</summary>
    public ScoreRange Range { get; }

    /// <summary>Pooling.</summary>
    public Pooling Pooling { get; }

    /// <summary>The device of the parameters.</summary>
    public Device Device { get; }

    /// <summary>A stacked batch of 2P sequences on this model's device.</summary>
    public TorchBatch Batch(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int sequences, int length) =>
        TorchBatch.Create(ids, lengths, sequences, length, Encoder.Config.Vocabulary, Encoder.Config.MaxTokens, Device);

    /// <summary>Cosines [P] of a stacked batch of 2P sequences.</summary>
    public Tensor ForwardPairs(TorchBatch batch, bool training, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Batch % 2 != 0)
        {
            throw new ArgumentException($"A stacked pair batch holds 2P sequences, got {batch.Batch}.", nameof(batch));
        }
        if (training)
        {
            batch = Encoder.WithTrainingPositions(batch, step);
        }
        DropoutSource? dropout = null;
        if (training && _dropout.Probability > 0)
        {
            _dropout.BeginStep(step);
            dropout = _dropout;
        }
        var pooled = TorchTransformerEncoder.Pool(Encoder.Forward(batch, dropout), batch, Pooling);
        int pairs = batch.Batch / 2;
        var u = pooled.narrow(0, 0, pairs);
        var v = pooled.narrow(0, pairs, pairs);
        var normU = u.norm(1, keepdim: false).clamp_min(CosineSimilarity.MinNorm);
        var normV = v.norm(1, keepdim: false).clamp_min(CosineSimilarity.MinNorm);
        return (u * v).sum(1) / (normU * normV);
    }

    /// <summary>The similarity loss of cosines [P] against labels [P] (<see cref="SimilarityLosses"/>'s definitions).</summary>
    public Tensor Loss(Tensor cosines, ReadOnlySpan<float> labels, SimilarityLoss loss, float coSentScale = SimilarityLosses.DefaultCoSentScale)
    {
        ArgumentNullException.ThrowIfNull(cosines);
        Checked.Shape(cosines, "pair cosines", labels.Length);
        var y = tensor(labels.ToArray(), device: Device);
        switch (loss)
        {
            case SimilarityLoss.MeanSquaredError:
                var score = cosines * Range.Slope + Range.Min;
                return (score - y).square().mean();
            case SimilarityLoss.CoSent:
                // log(1 + sum over (i, j) with y_i > y_j of exp(scale (cos_j - cos_i))), the "1" as a zero logit.
                var differences = (cosines.unsqueeze(0) - cosines.unsqueeze(1)) * coSentScale;     // [i, j] = scale (cos_j - cos_i)
                var pairs = y.unsqueeze(1).gt(y.unsqueeze(0));                                      // [i, j]: y_i > y_j
                var terms = differences.masked_fill(pairs.logical_not(), float.NegativeInfinity).flatten();
                return cat([zeros(1, device: Device), terms]).logsumexp(0);
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown similarity loss.");
        }
    }

    /// <summary>This model's weights -> <paramref name="target"/>.</summary>
    public void CopyTo(SiameseModel target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ParameterTransfer.CopyToManaged(this, target.Parameters);
    }

    /// <summary><paramref name="source"/>'s weights -> this model.</summary>
    public void CopyFrom(SiameseModel source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ParameterTransfer.CopyToTorch(source.Parameters, this);
    }

    /// <inheritdoc/>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dropout.Dispose();
        }
        base.Dispose(disposing);
    }
}
