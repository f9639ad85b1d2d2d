namespace MLComponents.Engine;

/// <summary>
/// Options of <see cref="SiameseTrainer"/>: the encoder geometry and optimiser settings of
/// <see cref="SequenceClassifierOptions"/>, plus the similarity loss and label range.
/// </summary>
public sealed record SiameseOptions
{
    /// <summary>Encoder blocks.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Model (and embedding) dimension D.</summary>
    public int ModelDimension { get; init; } = 128;

    /// <summary>Attention heads (divides D).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Feed-forward width F.</summary>
    public int FeedForwardDimension { get; init; } = 512;

    /// <summary>Dropout on attention probabilities and residual branches.</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>Longest sequence accepted; longer inputs must be truncated by the caller (the pipeline trainer does).</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Vocabulary size; 0 infers max id + 1 from the training and validation data.</summary>
    public int Vocabulary { get; init; }

    /// <summary>Position-encoding scheme; null means RoPE (<see cref="PositionEncoding.Rotary"/>).</summary>
    public PositionEncoding? PositionEncoding { get; init; }

    /// <summary>How token states are pooled into the sentence embedding (mean over non-padding tokens by default).</summary>
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>Training objective.</summary>
    public SimilarityLoss Loss { get; init; } = SimilarityLoss.MeanSquaredError;

    /// <summary>CoSENT scale lambda.</summary>
    public float CoSentScale { get; init; } = SimilarityLosses.DefaultCoSentScale;

    /// <summary>Score for cos = 0; null takes the smallest training label.</summary>
    public float? LabelMin { get; init; }

    /// <summary>Score for cos = 1; null takes the largest training label.</summary>
    public float? LabelMax { get; init; }

    /// <summary>Passes over the training pairs.</summary>
    public int Epochs { get; init; } = 6;

    /// <summary>Pairs per step (each step encodes 2 x BatchSize sequences).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled (AdamW) weight decay; biases, norms and position tables are never decayed.</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Linear warm-up as a fraction of all steps.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Learning-rate decay after warm-up.</summary>
    public LearningRateDecay Schedule { get; init; } = LearningRateDecay.Cosine;

    /// <summary>Global gradient-norm clip (0 or less: no clipping).</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Seed of the initial weights, shuffling and dropout.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads (results are bit-identical for the same seed and thread count).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Epochs without a better validation Spearman before training stops (needs validation pairs; 0: never stop early).</summary>
    public int EarlyStoppingPatience { get; init; } = 2;

    /// <summary>Steps between progress reports within an epoch (each epoch's end is always reported).</summary>
    public int ProgressInterval { get; init; } = 50;

    /// <summary>Batches per length-sorted chunk: larger means less padding, smaller means more shuffling.</summary>
    public int BucketBatches { get; init; } = 50;
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
