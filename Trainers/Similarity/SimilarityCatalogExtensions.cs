using Microsoft.ML;
using MLComponents.MLNet;
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
    public static SentenceSimilarityTrainer SentenceSimilarity(this RegressionCatalog.RegressionTrainers catalog, SentenceSimilarityOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new SentenceSimilarityTrainer(CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>
    /// A sentence-similarity regressor on raw text, shaped like Microsoft.ML.TorchSharp's <c>SentenceSimilarity</c> (same parameter
    /// names; moving from it is a change of <c>using</c>): one word vocabulary is learned from both sentence columns at Fit, the
    /// siamese encoder trains on the ids, nothing is downloaded, and the position scheme is one option. The output adds
    /// <paramref name="scoreColumnName"/> (Single) and nothing else.
    /// </summary>
    /// <param name="catalog">ML.NET's regression trainers catalog.</param>
    /// <param name="labelColumnName">Single similarity label.</param>
    /// <param name="scoreColumnName">Score column added.</param>
    /// <param name="sentence1ColumnName">First text column.</param>
    /// <param name="sentence2ColumnName">Second text column.</param>
    /// <param name="batchSize">Pairs per optimiser step.</param>
    /// <param name="maxEpochs">Passes over the training data (early stopping may end sooner with a validation set).</param>
    /// <param name="validationSet">Optional validation data with the same raw columns.</param>
    /// <param name="positionEncoding">The position scheme; null means RoPE.</param>
    public static SentenceSimilarityTextEstimator SentenceSimilarity(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label",
        string scoreColumnName = "Score", string sentence1ColumnName = "Sentence1", string sentence2ColumnName = "Sentence2", int batchSize = 32,
        int maxEpochs = 20, IDataView? validationSet = null, PositionEncoding? positionEncoding = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SentenceSimilarityTextEstimator(CatalogEnvironment.Of(catalog), sentence1ColumnName, sentence2ColumnName, validationSet,
            new SentenceSimilarityOptions
            {
                LabelColumnName = labelColumnName, ScoreColumnName = scoreColumnName, BatchSize = batchSize, Epochs = maxEpochs,
                PositionEncoding = positionEncoding,
            });
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
        return new SentenceEmbeddingEstimator(new SentenceEmbeddingTransformer(CatalogEnvironment.Of(catalog), outputColumnName, inputColumnName, model.Encoder, model.Pooling, normalize));
    }
}
