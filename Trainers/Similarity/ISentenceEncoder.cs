using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// A fitted model that carries a sentence encoder: a Transformer encoder plus the pooling that turns its token
/// states into one vector. The sentence-similarity model implements it, and so can the Transformer classifier;
/// <c>ml.Transforms.Text.EmbedSentences</c> accepts either.
/// </summary>
public interface ISentenceEncoder
{
    /// <summary>The encoder (its weights are read, never changed; do not run it concurrently, use <see cref="SentenceEncoderExtensions.CreateEmbedder"/>).</summary>
    TransformerEncoder Encoder { get; }

    /// <summary>How token states are pooled into the sentence vector.</summary>
    Pooling Pooling { get; }
}

/// <summary>Helpers over <see cref="ISentenceEncoder"/>.</summary>
public static class SentenceEncoderExtensions
{
    /// <summary>A new embedder with its own copy of the weights (one per thread).</summary>
    public static SentenceEmbedder CreateEmbedder(this ISentenceEncoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new SentenceEmbedder(model.Encoder, model.Pooling);
    }
}
