namespace MLComponents;

/// <summary>Quality of a regression model (ML.NET's RegressionMetrics, plus correlations).</summary>
public sealed class RegressionMetrics
{
    internal RegressionMetrics(double mae, double mse, double r2, double pearson, double spearman)
    {
        MeanAbsoluteError = mae; MeanSquaredError = mse; RootMeanSquaredError = Math.Sqrt(mse);
        LossFunction = mse; RSquared = r2; PearsonCorrelation = pearson; SpearmanCorrelation = spearman;
    }

    /// <summary>Mean of |label - score|.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>Mean of (label - score)².</summary>
    public double MeanSquaredError { get; }

    /// <summary>Square root of <see cref="MeanSquaredError"/>.</summary>
    public double RootMeanSquaredError { get; }

    /// <summary>Mean of the loss function; the evaluator uses squared loss, so this equals <see cref="MeanSquaredError"/>.</summary>
    public double LossFunction { get; }

    /// <summary>1 - Σ(label - score)² / Σ(label - mean label)²; can be negative.</summary>
    public double RSquared { get; }

    /// <summary>Pearson correlation of labels and scores (NaN when either is constant).</summary>
    public double PearsonCorrelation { get; }

    /// <summary>Spearman rank correlation (ties get their average rank; NaN when either is constant).</summary>
    public double SpearmanCorrelation { get; }
}
