using MLComponents.Trainers;

namespace MLComponents;

/// <summary>Adds the Transformer text classifier to <c>ml.MulticlassClassification.Trainers</c>.</summary>
public static class TransformerCatalogExtensions
{
    /// <summary>
    /// A Transformer encoder text classifier: key label and Int32 token-id vector in; <c>Score</c> (class
    /// probabilities) and <c>PredictedLabel</c> (key with the label's values) out. See
    /// <see cref="TransformerClassifierOptions"/> for every option and its default.
    /// </summary>
    public static TransformerClassifierTrainer Transformer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        TransformerClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TransformerClassifierTrainer(catalog.Context, options ?? new TransformerClassifierOptions());
    }
}
