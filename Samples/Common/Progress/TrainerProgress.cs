using System.Globalization;
using SimilarityTrainingProgress = MLComponents.Engine.SimilarityTrainingProgress;
using MLComponents.Trainers;

namespace MLComponents.Samples.Progress;

/// <summary>Turns the trainers' own progress reports (their options' <c>Progress</c>) into <see cref="TrainingReport"/>s.</summary>
public static class TrainerProgress
{
    /// <summary>For <c>TransformerClassifierOptions.Progress</c>.</summary>
    public static IProgress<TrainingProgress> Classifier(IProgress<TrainingReport> display, int epochs)
    {
        ArgumentNullException.ThrowIfNull(display);
        return new Adapter<TrainingProgress>(p =>
        {
            string validation = p.ValidationAccuracy is double accuracy
                ? string.Create(CultureInfo.InvariantCulture, $" val_accuracy={accuracy:0.0000} val_log_loss={p.ValidationLogLoss:0.0000}")
                : "";
            display.Report(new TrainingReport(p.Epoch, epochs, p.Step, p.TotalSteps, p.Loss, p.TokensPerSecond, p.EpochEnd,
                $"{validation} truncated={p.TruncatedSequences}"));
        });
    }

    /// <summary>
    /// For <c>SentenceSimilarityOptions.Progress</c>, whose reports carry no step total: <paramref name="totalSteps"/> is
    /// epochs x ceil(pairs / batch size), as the trainer plans it.
    /// </summary>
    public static IProgress<SimilarityTrainingProgress> Similarity(IProgress<TrainingReport> display, int epochs, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(display);
        return new Adapter<SimilarityTrainingProgress>(p =>
        {
            string validation = p.ValidationSpearman is double spearman
                ? string.Create(CultureInfo.InvariantCulture, $" val_spearman={spearman:0.0000} val_pearson={p.ValidationPearson:0.0000}")
                : "";
            display.Report(new TrainingReport(p.Epoch, epochs, p.Step, totalSteps, p.Loss, p.TokensPerSecond, p.EpochEnd, validation));
        });
    }

    /// <summary>Steps the siamese trainer plans: ceil(pairs / min(batch, pairs)) per epoch.</summary>
    public static long SimilaritySteps(long pairs, int batchSize, int epochs)
    {
        long batch = Math.Max(1, Math.Min(batchSize, pairs));
        return (pairs + batch - 1) / batch * epochs;
    }

    private sealed class Adapter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
