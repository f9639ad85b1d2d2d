using Microsoft.ML;
using MLComponents.Engine;
using MLComponents.Samples.Progress;
using MLComponents.Trainers;

namespace MLComponents.Samples;

/// <summary>
/// The pipeline the classification samples train: ML.NET's MapValueToKey, our TokenizeToIds and Transformer classifier, ML.NET's
/// MapKeyToValue, with progress shown on the display's bar or lines.
/// </summary>
public static class ClassifierPipeline
{
    /// <summary>Fits the pipeline on <paramref name="train"/> (columns Label and Text).</summary>
    public static ITransformer Fit(MLContext ml, IDataView train, PositionEncoding encoding, int maxTokens, int epochs, TransformerBackend backend,
        string device, TrainingDisplay display, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(display);
        return display.Run("training", progress =>
        {
            var options = new TransformerClassifierOptions
            {
                FeatureColumnName = "Tokens",
                PositionEncoding = encoding,
                MaxTokens = maxTokens,
                Epochs = epochs,
                Progress = TrainerProgress.Classifier(progress, epochs),
                ProgressInterval = display.IsLive ? 5 : 50,
                CancellationToken = cancellationToken,
                Backend = backend,
                Device = device,
            };
            return ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: maxTokens))
                .Append(ml.MulticlassClassification.Trainers.Transformer(options))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
                .Fit(train);
        });
    }
}
