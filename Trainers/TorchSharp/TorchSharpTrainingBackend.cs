using MLComponents.Engine;
using MLComponents.TorchSharp;

[assembly: EncoderTrainingBackend(TransformerBackend.TorchSharp, typeof(TorchSharpTrainingBackend))]

namespace MLComponents.TorchSharp;

/// <summary>
/// <see cref="TransformerBackend.TorchSharp"/>: what <see cref="EncoderTrainingBackends.Get(TransformerBackend, string?)"/> returns when this
/// assembly is present. Trains on the device given at construction and returns managed models.
/// </summary>
public sealed class TorchSharpTrainingBackend : IEncoderTrainingBackend
{
    /// <summary>Resolves <paramref name="device"/> ("cpu", "cuda", "cuda:N"); an absent device throws naming it.</summary>
    public TorchSharpTrainingBackend(string device)
    {
        Device = TorchDevices.Name(TorchDevices.Resolve(device));
    }

    /// <inheritdoc/>
    public TransformerBackend Backend => TransformerBackend.TorchSharp;

    /// <inheritdoc/>
    public string Device { get; }

    /// <inheritdoc/>
    public TrainedEncoder<SequenceClassifier> FitClassifier(SequenceClassifierOptions options, ClassifierTrainingData train,
        IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new TorchClassifierTrainer(Supported(options), Device).Fit(train, validationSequences, validationLabels, progress, cancellationToken);

    /// <inheritdoc/>
    public TrainedEncoder<SiameseModel> FitSiamese(SiameseOptions options, PairTrainingData train, SentencePairs? validation = null,
        IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new TorchSiameseTrainer(Supported(options), Device).Fit(train, validation, progress, cancellationToken);

    /// <summary>The managed engine's opt-in sparse embedding update has no TorchSharp form: refused by name, not ignored.</summary>
    private static T Supported<T>(T options) where T : EncoderTrainingOptions
    {
        if (options.SparseEmbeddingUpdate)
        {
            throw new ArgumentException(
                $"Option '{nameof(options.SparseEmbeddingUpdate)}' is an opt-in of the managed engine; the TorchSharp backend updates embeddings with dense AdamW. Turn it off or train with the managed backend.",
                nameof(options.SparseEmbeddingUpdate));
        }
        return options;
    }
}
