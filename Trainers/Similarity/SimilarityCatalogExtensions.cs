using MLComponents.Trainers;

namespace MLComponents;

/// <summary>Sentence-similarity trainer and sentence-embedding transform on the catalogs.</summary>
public static class SimilarityCatalogExtensions
{
    /// <summary>
    /// A siamese Transformer sentence-similarity regressor: token-id columns <c>Sentence1Tokens</c> and
    /// <c>Sentence2Tokens</c> and a Single <c>Label</c> in (names configurable), a Single <c>Score</c> out: the cosine of
    /// the two pooled embeddings mapped affinely from [0, 1] to [LabelMin, LabelMax] (the training label range unless set).
    /// </summary>
    public static SentenceSimilarityTrainer SentenceSimilarity(this RegressionCatalog.RegressionTrainers catalog, SentenceSimilarityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SentenceSimilarityTrainer(catalog.Context, options ?? new SentenceSimilarityOptions());
    }

    /// <summary>
    /// Adds a sentence-embedding column (vector of Single, the encoder's width) computed from a token-id column with
    /// the encoder of a trained model (the sentence-similarity model, or any other <see cref="ISentenceEncoder"/>),
    /// L2-normalised when <paramref name="normalize"/>. The encoder's weights are saved with the pipeline.
    /// </summary>
    public static SentenceEmbeddingEstimator EmbedSentences(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string inputColumnName, ISentenceEncoder model, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return new SentenceEmbeddingEstimator(new SentenceEmbeddingTransformer(outputColumnName, inputColumnName, model.Encoder, model.Pooling, normalize));
    }
}
