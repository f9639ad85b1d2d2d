namespace MLComponents.Engine;

/// <summary>
/// Options of <see cref="SequenceClassifierTrainer"/> (names follow the ML.NET Transformer trainer options).
/// Defaults train a small model well on short-text classification.
/// </summary>
public sealed record SequenceClassifierOptions : EncoderTrainingOptions
{

    /// <summary>Number of classes; 0 infers max label + 1 from the training labels.</summary>
    public int Classes { get; init; }

    /// <summary>Label smoothing in [0, 1).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Per-class loss weights (length = classes), or null.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>
    /// Strength of the pull of every token embedding toward the mean embedding after each update (<see cref="RowMeanPull"/>);
    /// 0 (default) is off. LearningRate x this must stay below 1.
    /// </summary>
    public double EmbeddingMeanPull { get; init; }

    /// <summary>
    /// The fraction of the planned updates (epochs x batches per epoch) taken before the mean pull starts, in [0, 1); 0.25 by
    /// default, so the words the loss needs apart have been told apart before the pull acts.
    /// </summary>
    public double EmbeddingMeanPullStart { get; init; } = 0.25;

    /// <summary>The optimiser's mean pull for <paramref name="encoder"/>'s token table over <paramref name="totalSteps"/> planned updates, or null when it is off.</summary>
    internal RowMeanPull? MeanPullOf(TransformerEncoder encoder, int totalSteps) =>
        EmbeddingMeanPull > 0 ? new RowMeanPull(encoder.TokenEmbedding, EmbeddingMeanPull, (long)Math.Round(EmbeddingMeanPullStart * totalSteps)) : null;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        CheckShared();
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) Fail(nameof(LabelSmoothing), LabelSmoothing, "in [0, 1)");
        if (!(EmbeddingMeanPull >= 0) || !(EmbeddingMeanPull * LearningRate < 1))
            Fail(nameof(EmbeddingMeanPull), EmbeddingMeanPull, $"0 (off) or > 0 with LearningRate x it below 1 (LearningRate {LearningRate})");
        if (!(EmbeddingMeanPullStart >= 0 && EmbeddingMeanPullStart < 1)) Fail(nameof(EmbeddingMeanPullStart), EmbeddingMeanPullStart, "in [0, 1)");
    }
}

/// <summary>A training progress report.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Optimiser steps taken so far.</param>
/// <param name="Loss">Mean training loss since the previous report.</param>
/// <param name="TokensPerSecond">Real (non-padding) tokens processed per second since the previous report.</param>
/// <param name="ValidationAccuracy">Validation accuracy at an epoch's end (null mid-epoch or without validation data).</param>
/// <param name="ValidationLogLoss">Validation log-loss at an epoch's end (null mid-epoch or without validation data).</param>
/// <param name="EpochEnd">True for the report at an epoch's end.</param>
public sealed record TrainingProgress(int Epoch, long Step, double Loss, double TokensPerSecond,
    double? ValidationAccuracy, double? ValidationLogLoss, bool EpochEnd);
