namespace MLComponents.Benchmarks;

/// <summary>The reference model configuration, identical to ../shared/bench/torch_ref.py.</summary>
internal sealed record ModelConfig
{
    public int Vocabulary { get; init; } = 8000;
    public int ModelDimension { get; init; } = 128;
    public int Heads { get; init; } = 4;
    public int Layers { get; init; } = 2;
    public int FeedForward { get; init; } = 512;
    public int Tokens { get; init; } = 64;
    public int Batch { get; init; } = 32;
    public int Classes { get; init; } = 4;
    public float LearningRate { get; init; } = 1e-3f;
    public int SingleTokens { get; init; } = 32;
}

/// <summary>
/// The pluggable piece of the model benchmark: a trainable model on a fixed random batch
/// (ids [Batch, Tokens], no padding, random labels), as torch_ref.py builds it.
/// </summary>
internal interface IModelWorkload
{
    /// <summary>What is being measured (model, parameter count, threads).</summary>
    string Description { get; }

    /// <summary>One optimiser step (zero grads, forward, cross-entropy, backward, AdamW) on the batch.</summary>
    void TrainStep();

    /// <summary>Inference forward pass on the whole batch.</summary>
    void InferBatch();

    /// <summary>Inference forward pass on one sentence of <see cref="ModelConfig.SingleTokens"/> tokens.</summary>
    void InferSingle();
}
