namespace MLComponents.Engine;

/// <summary>Geometry of a <see cref="TransformerEncoder"/>.</summary>
public sealed record TransformerConfig
{
    /// <summary>Vocabulary size V (token ids are 0..V-1).</summary>
    public int Vocabulary { get; init; } = 8000;

    /// <summary>Model dimension D.</summary>
    public int ModelDimension { get; init; } = 128;

    /// <summary>Attention heads H (must divide D).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Encoder blocks L.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Feed-forward width F.</summary>
    public int FeedForwardDimension { get; init; } = 512;

    /// <summary>Longest sequence the model accepts (and position tables are built for).</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Dropout probability on attention probabilities and on both residual branches (training only).</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>
    /// Standard deviation of the initial token embeddings. 1 (torch nn.Embedding's default) keeps tokens on the same
    /// scale as additive position signals such as sinusoids; the linear layers use GPT-style normal(0, 0.02).
    /// </summary>
    public float EmbeddingInitStd { get; init; } = 1f;

    /// <summary>
    /// Randomized positions (Ruoss et al. 2023): 0 (off) or L. In training each sequence of n &lt;= L real tokens takes a
    /// sorted random sample of n distinct positions from [0, L) instead of 0..n-1 (seeded by the encoder's seed and the
    /// step); at inference positions are 0..n-1. Position tables are sized max(MaxTokens, L). Schemes that read explicit
    /// positions: rope, alibi, fire (others are refused).
    /// </summary>
    public int RandomizedPositions { get; init; }

    /// <summary>
    /// Log-length attention scaling: 0 (off) or n0 &gt;= 2. The q.k logits of a sequence of n real tokens are multiplied by
    /// max(1, ln n / ln n0), in training and at inference alike (position biases too with <see cref="LogLengthScaleBiases"/>).
    /// </summary>
    public int LogLengthScale { get; init; }

    /// <summary>
    /// With <see cref="LogLengthScale"/> on, multiply the whole attention logit by the factor (q.k/sqrt(dh) plus the
    /// scheme's position bias) instead of q.k alone. Needs <see cref="LogLengthScale"/> &gt; 0.
    /// </summary>
    public bool LogLengthScaleBiases { get; init; }

    /// <summary>Rows of the position tables: MaxTokens, or L when randomized positions reach further.</summary>
    public int PositionCapacity => Math.Max(MaxTokens, RandomizedPositions);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Positive(Vocabulary, nameof(Vocabulary));
        Positive(ModelDimension, nameof(ModelDimension));
        Positive(Heads, nameof(Heads));
        Positive(Layers, nameof(Layers));
        Positive(FeedForwardDimension, nameof(FeedForwardDimension));
        Positive(MaxTokens, nameof(MaxTokens));
        if (ModelDimension % Heads != 0)
        {
            throw new ArgumentException($"Option '{nameof(ModelDimension)}' ({ModelDimension}) must be a multiple of '{nameof(Heads)}' ({Heads}).", nameof(ModelDimension));
        }
        if (!(Dropout >= 0 && Dropout < 1))
        {
            throw new ArgumentException($"Option '{nameof(Dropout)}' must be in [0, 1), got {Dropout}.", nameof(Dropout));
        }
        if (RandomizedPositions < 0)
        {
            throw new ArgumentException($"Option '{nameof(RandomizedPositions)}' must be 0 (off) or a position count L > 0, got {RandomizedPositions}.", nameof(RandomizedPositions));
        }
        if (LogLengthScale < 0 || LogLengthScale == 1)
        {
            throw new ArgumentException($"Option '{nameof(LogLengthScale)}' must be 0 (off) or a reference length n0 >= 2, got {LogLengthScale}.", nameof(LogLengthScale));
        }
        if (LogLengthScaleBiases && LogLengthScale == 0)
        {
            throw new ArgumentException($"Option '{nameof(LogLengthScaleBiases)}' needs log-length scaling on ('{nameof(LogLengthScale)}' >= 2); it is 0.", nameof(LogLengthScaleBiases));
        }
        if (!(EmbeddingInitStd > 0))
        {
            throw new ArgumentException($"Option '{nameof(EmbeddingInitStd)}' must be positive, got {EmbeddingInitStd}.", nameof(EmbeddingInitStd));
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"Option '{name}' must be positive, got {value}.", name);
        }
    }
}
