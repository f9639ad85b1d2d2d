using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// Options of <c>ml.Regression.Trainers.SentenceSimilarity</c>: input/output column names, encoder geometry,
/// loss and optimiser settings (the engine's <see cref="SiameseOptions"/> with ML.NET-style column options).
/// </summary>
public sealed record SentenceSimilarityOptions
{
    /// <summary>First sentence's token ids (vector of Int32).</summary>
    public string Sentence1ColumnName { get; init; } = "Sentence1Tokens";

    /// <summary>Second sentence's token ids (vector of Int32).</summary>
    public string Sentence2ColumnName { get; init; } = "Sentence2Tokens";

    /// <summary>Similarity label (Single); rows with a NaN label are skipped in training.</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>The predicted similarity (Single) on the label scale.</summary>
    public string ScoreColumnName { get; init; } = "Score";

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

    /// <summary>Longest sequence; longer token vectors are truncated to their first MaxTokens ids (training and scoring).</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Vocabulary size; 0 infers max id + 1 from the data. Ids at or above it score as the unknown id 1.</summary>
    public int Vocabulary { get; init; }

    /// <summary>Position-encoding scheme; null means RoPE.</summary>
    public PositionEncoding? PositionEncoding { get; init; }

    /// <summary>
    /// Pooling of token states into the sentence embedding. <see cref="Pooling.Cls"/> needs every sentence on both sides to start
    /// with the same CLS token (<c>TokenizeToIds(..., addClsToken: true)</c>); training refuses one that does not, naming it.
    /// </summary>
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>Training objective (the score is always cos mapped affinely to [LabelMin, LabelMax]).</summary>
    public SimilarityLoss Loss { get; init; } = SimilarityLoss.MeanSquaredError;

    /// <summary>CoSENT scale lambda.</summary>
    public float CoSentScale { get; init; } = SimilarityLosses.DefaultCoSentScale;

    /// <summary>Score for cos = 0; null takes the smallest training label.</summary>
    public float? LabelMin { get; init; }

    /// <summary>Score for cos = 1; null takes the largest training label.</summary>
    public float? LabelMax { get; init; }

    /// <summary>
    /// Passes over the training pairs (fewer when early stopping ends training on a validation set). 20 by default: on the
    /// accuracy suite's order-sensitive similarity tasks 6 epochs left RoPE at Spearman 0.58 and 0.20, 20 reach 0.95 and 0.97.
    /// </summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Pairs per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay.</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Linear warm-up as a fraction of all steps.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>
    /// Multiplier of the learning rate for the token-embedding table alone (its decay scales with it); 1, one rate for all,
    /// keeps the similarity figures the defaults were chosen on. The classifier's default is 3 (see its option).
    /// </summary>
    public double EmbeddingLearningRateScale { get; init; } = 1;

    /// <summary>Learning-rate decay after warm-up.</summary>
    public LearningRateDecay Schedule { get; init; } = LearningRateDecay.Cosine;

    /// <summary>Global gradient-norm clip (0 or less: none).</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Seed of weights, shuffling and dropout; null takes the next seed of the the MLContext.</summary>
    public int? Seed { get; init; }

    /// <summary>Threads for training.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// 0 (default): Fit reads the training pairs into memory once. N &gt; 0: Fit streams them, reading the training view again
    /// every epoch through a shuffle buffer of N pairs (at least BatchSize x 50) and length-bucketing (by the longer side) within
    /// it, so a corpus larger than memory trains; memory is about N x (MaxTokens x 8 + 80) bytes. A first pass counts the pairs,
    /// checks every token id and label and finds the label range (for LabelMin/LabelMax left null) before training starts.
    /// Pairs are then shuffled within the buffer's reach rather than over the whole set: for a file sorted by label, make N a
    /// good fraction of the row count or shuffle the file first. The validation set, when given, is still read into memory.
    /// </summary>
    public int StreamingBufferRows { get; init; }

    /// <summary>Epochs without a better validation Spearman before stopping (with a validation set; 0: never).</summary>
    public int EarlyStoppingPatience { get; init; } = 2;

    /// <summary>Receives progress reports during Fit, or null.</summary>
    public IProgress<SimilarityTrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Which engine trains: the managed engine (default, nothing native) or TorchSharp (libtorch; the application must reference
    /// MLComponents.Trainers.TorchSharp). Either way the result is the same managed model, saved and scored the same way.
    /// </summary>
    public TransformerBackend Backend { get; init; } = TransformerBackend.Managed;

    /// <summary>The TorchSharp device: "cpu" (default), "cuda" or "cuda:N"; the managed engine runs on "cpu" only.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Optimiser steps between mid-epoch progress reports (each epoch's end is always reported; 0: epoch ends only).</summary>
    public int ProgressInterval { get; init; } = 50;

    internal SiameseOptions ToEngine(int seed) => new()
    {
        Layers = Layers, ModelDimension = ModelDimension, Heads = Heads, FeedForwardDimension = FeedForwardDimension, Dropout = Dropout,
        MaxTokens = MaxTokens, Vocabulary = Vocabulary, PositionEncoding = PositionEncoding, Pooling = Pooling, Loss = Loss,
        CoSentScale = CoSentScale, LabelMin = LabelMin, LabelMax = LabelMax, Epochs = Epochs, BatchSize = BatchSize,
        LearningRate = LearningRate, WeightDecay = WeightDecay, WarmupFraction = WarmupFraction, Schedule = Schedule,
        EmbeddingLearningRateScale = EmbeddingLearningRateScale,
        ClipNorm = ClipNorm, Seed = seed, Threads = Threads, EarlyStoppingPatience = EarlyStoppingPatience, ProgressInterval = ProgressInterval,
    };
}
