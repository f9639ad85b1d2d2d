namespace MLComponents.Engine;

/// <summary>
/// Options of <see cref="SiameseTrainer"/>: the shared encoder, optimiser and batching settings of
/// <see cref="EncoderTrainingOptions"/>, plus the similarity loss and label range.
/// </summary>
public sealed record SiameseOptions : EncoderTrainingOptions
{

    /// <summary>Training objective.</summary>
    public SimilarityLoss Loss { get; init; } = SimilarityLoss.MeanSquaredError;

    /// <summary>CoSENT scale lambda.</summary>
    public float CoSentScale { get; init; } = SimilarityLosses.DefaultCoSentScale;

    /// <summary>Score for cos = 0; null takes the smallest training label.</summary>
    public float? LabelMin { get; init; }

    /// <summary>Score for cos = 1; null takes the largest training label.</summary>
    public float? LabelMax { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        CheckShared();
        if (!(CoSentScale > 0) || !float.IsFinite(CoSentScale)) Fail(nameof(CoSentScale), CoSentScale, "a positive finite number");
        if (!Enum.IsDefined(Loss)) Fail(nameof(Loss), Loss, "a defined SimilarityLoss");
        if (LabelMin is float a && LabelMax is float b && !(b > a)) Fail(nameof(LabelMax), b, $"greater than LabelMin ({a})");
    }
}

/// <summary>A similarity training progress report.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Optimiser steps taken so far.</param>
/// <param name="Loss">Mean training loss since the previous report.</param>
/// <param name="TokensPerSecond">Real (non-padding) tokens of both sides processed per second since the previous report.</param>
/// <param name="ValidationSpearman">Validation Spearman correlation at an epoch's end (null mid-epoch or without validation data).</param>
/// <param name="ValidationPearson">Validation Pearson correlation at an epoch's end (null mid-epoch or without validation data).</param>
/// <param name="EpochEnd">True for the report at an epoch's end.</param>
public sealed record SimilarityTrainingProgress(int Epoch, long Step, double Loss, double TokensPerSecond,
    double? ValidationSpearman, double? ValidationPearson, bool EpochEnd);

/// <summary>Labelled sentence pairs as token-id arrays.</summary>
/// <param name="First">First sentences.</param>
/// <param name="Second">Second sentences (same count).</param>
/// <param name="Labels">Similarity labels (same count).</param>
public sealed record SentencePairs(IReadOnlyList<int[]> First, IReadOnlyList<int[]> Second, IReadOnlyList<float> Labels)
{
    /// <summary>Number of pairs.</summary>
    public int Count => Labels.Count;
}
