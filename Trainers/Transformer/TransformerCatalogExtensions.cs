using Microsoft.ML;
using MLComponents.MLNet;
using MLComponents.Trainers;

namespace MLComponents;

/// <summary>Adds the Transformer text classifier to ML.NET's <c>ml.MulticlassClassification.Trainers</c>.</summary>
public static class TransformerCatalogExtensions
{
    /// <summary>
    /// A Transformer encoder text classifier on token ids: key label and Int32 token-id vector in; <c>Score</c> (class probabilities)
    /// and <c>PredictedLabel</c> (key with the label's values) out, through ML.NET's own multiclass prediction transformer. See
    /// <see cref="TransformerClassifierOptions"/> for every option and its default.
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">The options; null takes the defaults.</param>
    public static TransformerClassifierTrainer Transformer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        TransformerClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TransformerClassifierTrainer(CatalogEnvironment.Of(catalog), options ?? new TransformerClassifierOptions());
    }

    /// <summary>
    /// A Transformer text classifier on raw text, shaped like Microsoft.ML.TorchSharp's <c>TextClassification</c> (same parameter
    /// names; moving from it is a change of <c>using</c>): tokenisation happens inside (a word vocabulary learned at Fit), nothing is
    /// downloaded, and the position scheme is one option. The label must be a key (MapValueToKey); the output adds
    /// <paramref name="scoreColumnName"/> and <paramref name="outputColumnName"/> and nothing else.
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="outputColumnName">Predicted label column (a key with the label's values).</param>
    /// <param name="scoreColumnName">Class probabilities column.</param>
    /// <param name="sentence1ColumnName">Text column.</param>
    /// <param name="sentence2ColumnName">Optional second text column (the pair is one sequence: first [SEP] second).</param>
    /// <param name="batchSize">Sequences per optimiser step.</param>
    /// <param name="maxEpochs">Passes over the training data (early stopping may end sooner with a validation set).</param>
    /// <param name="validationSet">Optional validation data with the same raw columns.</param>
    /// <param name="positionEncoding">The position scheme; null means RoPE.</param>
    public static TextClassificationEstimator TextClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string outputColumnName = "PredictedLabel", string scoreColumnName = "Score",
        string sentence1ColumnName = "Sentence1", string? sentence2ColumnName = null, int batchSize = 32, int maxEpochs = 10,
        IDataView? validationSet = null, PositionEncoding? positionEncoding = null) =>
        TextClassification(catalog, new TextClassificationOptions
        {
            LabelColumnName = labelColumnName, PredictedLabelColumnName = outputColumnName, ScoreColumnName = scoreColumnName,
            Sentence1ColumnName = sentence1ColumnName, Sentence2ColumnName = sentence2ColumnName, BatchSize = batchSize, Epochs = maxEpochs,
            ValidationSet = validationSet, PositionEncoding = positionEncoding ?? PositionEncoding.Rotary(),
        });

    /// <summary>The raw-text Transformer classifier with every option (tokenizer, model size, schedule...).</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">The options.</param>
    public static TextClassificationEstimator TextClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        TextClassificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new TextClassificationEstimator(CatalogEnvironment.Of(catalog), options);
    }
}
