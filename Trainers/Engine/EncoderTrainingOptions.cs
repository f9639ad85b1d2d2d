using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// What every trainer of a Transformer encoder shares: model shape, position scheme, pooling, optimiser,
/// schedule, batching, early stopping and progress. The classifier and similarity trainers add their heads' options.
/// </summary>
public abstract record EncoderTrainingOptions
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

    /// <summary>Position-encoding scheme; null means RoPE (<see cref="PositionEncoding.Rotary"/>).</summary>
    public PositionEncoding? PositionEncoding { get; init; }

    /// <summary>
    /// Randomized positions (Ruoss et al. 2023) for length generalisation: 0 (off, default) or L. In training each sequence
    /// of n real tokens sits at a sorted random sample of n distinct positions from [0, L) (seeded, repeatable) instead of
    /// 0..n-1; at inference at 0..n-1. Pick L at least the longest input expected at inference. Schemes: rope, alibi, fire.
    /// </summary>
    public int RandomizedPositions { get; init; }

    /// <summary>
    /// Log-length attention scaling: 0 (off, default) or n0 &gt;= 2 (typically the longest training length). The q.k logits
    /// of a sequence of n real tokens are multiplied by max(1, ln n / ln n0), in training and at inference.
    /// </summary>
    public int LogLengthScale { get; init; }

    /// <summary>With <see cref="LogLengthScale"/> on, scale the whole logit (position biases too), not q.k alone.</summary>
    public bool LogLengthScaleBiases { get; init; }

    /// <summary>The learning-rate multiplier of one of <paramref name="encoder"/>'s parameters (both backends' optimisers ask here).</summary>
    internal double LearningRateScale(Parameter parameter, TransformerEncoder encoder) =>
        ReferenceEquals(parameter, encoder.TokenEmbedding) ? EmbeddingLearningRateScale : 1.0;

    /// <summary>
    /// The encoder geometry these options describe for a vocabulary of <paramref name="vocabulary"/> ids: the one place both
    /// backends' trainers turn options into a <see cref="TransformerConfig"/>, so no option is dropped by one of them.
    /// </summary>
    internal TransformerConfig Geometry(int vocabulary) => new()
    {
        Vocabulary = vocabulary, ModelDimension = ModelDimension, Heads = Heads, Layers = Layers,
        FeedForwardDimension = FeedForwardDimension, MaxTokens = MaxTokens, Dropout = Dropout,
        RandomizedPositions = RandomizedPositions, LogLengthScale = LogLengthScale, LogLengthScaleBiases = LogLengthScaleBiases,
    };

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

    /// <summary>
    /// Opt-in sparse embedding update: each step clears and updates only the token-embedding rows its batch used
    /// (see <see cref="AdamW.UpdateRowsOnly"/>). Faster for large vocabularies; unlike torch's dense AdamW, rows a batch
    /// did not use get no weight decay and no momentum-only movement that step. Off by default.
    /// </summary>
    public bool SparseEmbeddingUpdate { get; init; }

    /// <summary>
    /// Multiplier of the learning rate (and so of the decoupled decay) for the token-embedding table alone. A word's row
    /// moves only in the steps whose batch holds the word, so on real text, where most words are rare, its rows train far
    /// less than the shared weights at one rate. 1: one rate for every parameter (torch's single group).
    /// </summary>
    public double EmbeddingLearningRateScale { get; init; } = 1;

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

    /// <summary>Epochs without a better validation score before training stops (needs a validation set; 0: never stop early).</summary>
    public int EarlyStoppingPatience { get; init; } = 2;

    /// <summary>Steps between progress reports within an epoch (each epoch's end is always reported).</summary>
    public int ProgressInterval { get; init; } = 50;

    /// <summary>Batches per length-sorted chunk: larger means less padding, smaller means more shuffling.</summary>
    public int BucketBatches { get; init; } = 50;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first shared option out of range.</summary>
    private protected void CheckShared()
    {
        if (Epochs < 1) Fail(nameof(Epochs), Epochs, ">= 1");
        if (BatchSize < 1) Fail(nameof(BatchSize), BatchSize, ">= 1");
        if (!(LearningRate > 0)) Fail(nameof(LearningRate), LearningRate, "> 0");
        if (!(WeightDecay >= 0)) Fail(nameof(WeightDecay), WeightDecay, ">= 0");
        if (!(WarmupFraction >= 0 && WarmupFraction <= 1)) Fail(nameof(WarmupFraction), WarmupFraction, "in [0, 1]");
        if (!(EmbeddingLearningRateScale > 0) || double.IsInfinity(EmbeddingLearningRateScale)) Fail(nameof(EmbeddingLearningRateScale), EmbeddingLearningRateScale, "> 0 and finite");
        if (Threads < 1) Fail(nameof(Threads), Threads, ">= 1");
        if (BucketBatches < 1) Fail(nameof(BucketBatches), BucketBatches, ">= 1");
    }

    /// <summary>Throws the option error every check uses.</summary>
    private protected static void Fail(string name, object value, string rule) =>
        throw new ArgumentException($"Option '{name}' must be {rule}, got {value}.", name);
}
