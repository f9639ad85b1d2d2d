namespace MLComponents;

/// <summary>Options of <c>ml.MulticlassClassification.Trainers.SoftmaxRegression</c> (multinomial logistic regression).</summary>
public sealed class SoftmaxRegressionOptions
{
    /// <summary>Key column of the classes (rows with key 0, missing, are skipped).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Fixed-size float vector column of features.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>L2 penalty lambda on the weights (not the biases): the objective is mean log-loss + lambda/2 ||W||^2.</summary>
    public double L2Regularization { get; set; } = 1e-4;

    /// <summary>Most L-BFGS iterations.</summary>
    public int MaximumNumberOfIterations { get; set; } = 300;

    /// <summary>Stop when an iteration lowers the objective by less than this (relative), or the gradient norm falls below it.</summary>
    public double OptimizationTolerance { get; set; } = 1e-10;

    /// <summary>Number of (s, y) pairs L-BFGS remembers.</summary>
    public int HistorySize { get; set; } = 20;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(FeatureColumnName, nameof(FeatureColumnName));
        if (!(L2Regularization >= 0) || double.IsInfinity(L2Regularization))
            throw new ArgumentException($"Option 'L2Regularization' must be a finite number >= 0, got {L2Regularization}.", nameof(L2Regularization));
        if (MaximumNumberOfIterations < 1)
            throw new ArgumentException($"Option 'MaximumNumberOfIterations' must be positive, got {MaximumNumberOfIterations}.", nameof(MaximumNumberOfIterations));
        if (!(OptimizationTolerance >= 0))
            throw new ArgumentException($"Option 'OptimizationTolerance' must be >= 0, got {OptimizationTolerance}.", nameof(OptimizationTolerance));
        if (HistorySize < 1) throw new ArgumentException($"Option 'HistorySize' must be positive, got {HistorySize}.", nameof(HistorySize));
    }
}

/// <summary>Softmax regression on <c>ml.MulticlassClassification.Trainers</c>.</summary>
public static class SoftmaxRegressionCatalogExtensions
{
    /// <summary>
    /// Multinomial logistic regression over a fixed-size float vector: p(c | x) = softmax(W x + b)_c, fitted by full-batch
    /// L-BFGS on mean log-loss + lambda/2 ||W||^2 from zero weights, so training is deterministic (no seed involved) and the
    /// result does not depend on row order beyond float summation. Outputs Score (class probabilities, element c for key
    /// c + 1) and PredictedLabel (the arg-max key, carrying the label's KeyValues annotation so MapKeyToValue works).
    /// </summary>
    /// <param name="catalog">The trainers catalog.</param>
    /// <param name="labelColumnName">Key column of the classes.</param>
    /// <param name="featureColumnName">Fixed-size float vector column.</param>
    /// <param name="l2Regularization">L2 penalty lambda on the weights.</param>
    /// <param name="maximumNumberOfIterations">Most L-BFGS iterations.</param>
    public static SoftmaxRegressionTrainer SoftmaxRegression(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", double l2Regularization = 1e-4, int maximumNumberOfIterations = 300)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SoftmaxRegressionTrainer(new SoftmaxRegressionOptions
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            L2Regularization = l2Regularization,
            MaximumNumberOfIterations = maximumNumberOfIterations,
        });
    }

    /// <summary>Softmax regression with every option (see the other overload).</summary>
    /// <param name="catalog">The trainers catalog.</param>
    /// <param name="options">The options.</param>
    public static SoftmaxRegressionTrainer SoftmaxRegression(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        SoftmaxRegressionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new SoftmaxRegressionTrainer(options);
    }
}
