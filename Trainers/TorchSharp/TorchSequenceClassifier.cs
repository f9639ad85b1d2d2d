using MLComponents.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// The managed <see cref="SequenceClassifier"/> in TorchSharp: the encoder, pooling (mean over real tokens or the
/// first token) and the linear head "head.weight" [C, D] / "head.bias" [C], trained with torch's cross-entropy (class
/// weights, label smoothing: the semantics the managed loss follows). Its parameter names are the managed model's, so
/// <see cref="CopyTo"/> and <see cref="CopyFrom"/> move weights one to one. Not thread-safe (the position scheme
/// caches tables per length): one call at a time, as the managed model.
/// </summary>
public sealed class TorchSequenceClassifier : nn.Module
{
    private readonly Linear _head;
    private readonly DropoutSource _dropout;

    /// <summary>Builds the model for <paramref name="source"/>'s geometry and copies its weights; then moves it to <paramref name="device"/> (null: CPU).</summary>
    public TorchSequenceClassifier(SequenceClassifier source, Device? device = null, DropoutMasks dropoutMasks = DropoutMasks.Torch) : base("classifier")
    {
        ArgumentNullException.ThrowIfNull(source);
        Encoder = new TorchTransformerEncoder(source.Encoder);
        Classes = source.Classes;
        Pooling = source.Pooling;
        _head = nn.Linear(source.Encoder.Config.ModelDimension, source.Classes);
        foreach (var (name, child) in Encoder.named_children())
        {
            register_module(name, child);
        }
        register_module("head", _head);
        ParameterTransfer.CopyToTorch(source.Parameters, this);
        _dropout = new DropoutSource(source.Encoder.Config.Dropout, source.Encoder.Seed, dropoutMasks);
        Device = device ?? CPU;
        if (Device.type != DeviceType.CPU)
        {
            this.to(Device);
        }
    }

    /// <summary>The encoder.</summary>
    public TorchTransformerEncoder Encoder { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Pooling of token states.</summary>
    public Pooling Pooling { get; }

    /// <summary>The device the parameters live on.</summary>
    public Device Device { get; }

    /// <summary>Where dropout masks come from (the engine's, for exact cross-checks).</summary>
    public DropoutMasks DropoutMasks => _dropout.Masks;

    /// <summary>A padded batch on this model's device (checked: lengths, vocabulary, MaxTokens).</summary>
    public TorchBatch Batch(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int length) =>
        TorchBatch.Create(ids, lengths, batch, length, Encoder.Config.Vocabulary, Encoder.Config.MaxTokens, Device);

    /// <summary>Logits [B, C]. <paramref name="training"/> turns dropout on; <paramref name="step"/> picks the masks.</summary>
    public Tensor Forward(TorchBatch batch, bool training, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(batch);
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
        var hidden = Encoder.Forward(batch, dropout);
        return _head.call(TorchTransformerEncoder.Pool(hidden, batch, Pooling));
    }

    /// <summary>Mean cross-entropy of logits [B, C] against labels (torch.nn.CrossEntropyLoss with optional class weights and label smoothing).</summary>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels, float[]? classWeights = null, float labelSmoothing = 0f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        long b = logits.shape[0];
        Checked.Shape(logits, "classifier logits", b, Classes);
        if (labels.Length != b)
        {
            throw new ArgumentException($"{labels.Length} labels for a batch of {b}.", nameof(labels));
        }
        var y = new long[b];
        for (int i = 0; i < b; i++)
        {
            if ((uint)labels[i] >= (uint)Classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {labels[i]} of example {i} is outside [0, {Classes}).");
            }
            y[i] = labels[i];
        }
        if (classWeights is not null && classWeights.Length != Classes)
        {
            throw new ArgumentException($"{classWeights.Length} class weights for {Classes} classes.", nameof(classWeights));
        }
        var weight = classWeights is null ? null : tensor(classWeights, device: Device);
        return nn.functional.cross_entropy(logits, tensor(y, device: Device), weight, label_smoothing: labelSmoothing);
    }

    /// <summary>Class probabilities [count, C] of sequences (1..MaxTokens ids each), in padded batches, without gradients.</summary>
    public float[] Predict(IReadOnlyList<int[]> sequences, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var result = new float[sequences.Count * Classes];
        var padded = new PaddedBatch(batchSize, Encoder.Config.MaxTokens);
        using var noGrad = no_grad();
        for (int start = 0; start < sequences.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batchSize, sequences.Count - start);
            padded.Fill(sequences, start, n, null);
            var probabilities = nn.functional.softmax(Forward(Batch(padded.Ids, padded.Lengths, n, padded.Length), training: false), -1);
            probabilities.cpu().data<float>().CopyTo(result, start * Classes);
        }
        return result;
    }

    /// <summary>This model's weights -> <paramref name="target"/> (same geometry and scheme).</summary>
    public void CopyTo(SequenceClassifier target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ParameterTransfer.CopyToManaged(this, target.Parameters);
    }

    /// <summary><paramref name="source"/>'s weights -> this model.</summary>
    public void CopyFrom(SequenceClassifier source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ParameterTransfer.CopyToTorch(source.Parameters, this);
    }

    /// <inheritdoc/>
    protected override void RegisterComponents()
    {
        // Registered by name in the constructor.
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
