namespace MLComponents.Engine;

/// <summary>
/// Options of <see cref="SequenceClassifierTrainer"/> (names follow the ML.NET Transformer trainer options).
/// Defaults train a small model well on short-text classification.
/// </summary>
public sealed record SequenceClassifierOptions
{
    /// <summary>Encoder blocks.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Model dimension D.</summary>
    public int ModelDimension { get; init; } = 128;

    /// <summary>Attention heads (divides D).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Feed-forward width F.</summary>
    public int FeedForwardDimension { get; init; } = 512;

    /// <summary>Dropout on attention probabilities and residual branches.</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>Longest sequence accepted; the caller truncates token ids to this before training and prediction.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Vocabulary size; 0 infers max id + 1 from the training and validation data.</summary>
    public int Vocabulary { get; init; }

    /// <summary>Number of classes; 0 infers max label + 1 from the training labels.</summary>
    public int Classes { get; init; }

    /// <summary>Position-encoding scheme; null means RoPE (<see cref="PositionEncoding.Rotary"/>).</summary>
    public PositionEncoding? PositionEncoding { get; init; }

    /// <summary>How token states are pooled for the head.</summary>
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 6;

    /// <summary>Sequences per step.</summary>
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

    /// <summary>Label smoothing in [0, 1).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Per-class loss weights (length = classes), or null.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>Seed of the initial weights, shuffling and dropout.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads (results are bit-identical for the same seed and thread count).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Epochs without a better validation score before training stops (needs a validation set; 0: never stop early).</summary>
    public int EarlyStoppingPatience { get; init; } = 2;

    /// <summary>Steps between progress reports within an epoch (each epoch's end is always reported).</summary>
    public int ProgressInterval { get; init; } = 50;

    /// <summary>Batches per length-sorted chunk: larger means less padding, smaller means more shuffling.</summary>
    public int BucketBatches { get; init; } = 50;
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
