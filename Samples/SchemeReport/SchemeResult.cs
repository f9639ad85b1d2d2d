namespace MLComponents.Samples.SchemeReport;

/// <summary>Accuracy on the test rows of one token-count bucket.</summary>
/// <param name="Bucket">The bucket's label, e.g. "17-32".</param>
/// <param name="Max">Its largest token count (the chart's x value).</param>
/// <param name="Rows">Test rows in it.</param>
/// <param name="Accuracy">Share predicted right.</param>
public sealed record LengthAccuracy(string Bucket, int Max, int Rows, double Accuracy);

/// <summary>One epoch of training.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Loss">Mean training loss over the epoch's last report interval.</param>
/// <param name="ValidationAccuracy">Accuracy on the held-out slice.</param>
/// <param name="ValidationLogLoss">Log-loss on the held-out slice.</param>
public sealed record EpochPoint(int Epoch, double Loss, double? ValidationAccuracy, double? ValidationLogLoss);

/// <summary>A matrix to draw as a heatmap.</summary>
/// <param name="Title">What it shows.</param>
/// <param name="Values">[row, column] values.</param>
/// <param name="RowLabel">What a row is.</param>
/// <param name="ColumnLabel">What a column is.</param>
public sealed record HeatmapData(string Title, double[,] Values, string RowLabel, string ColumnLabel);

/// <summary>Everything the report shows of one scheme.</summary>
/// <param name="Scheme">The scheme's kind.</param>
/// <param name="Accuracy">Test accuracy (ML.NET's micro accuracy).</param>
/// <param name="MacroAccuracy">Test macro accuracy.</param>
/// <param name="LogLoss">Test log-loss.</param>
/// <param name="ByLength">Accuracy per token-count bucket.</param>
/// <param name="Curve">Per-epoch training loss and validation metrics.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (the last within one standard error of the best validation accuracy).</param>
/// <param name="Heatmaps">What the scheme learned (or fixes), drawn as heatmaps.</param>
/// <param name="Note">One line on what the heatmaps show, or why there is none.</param>
/// <param name="Seconds">Training and evaluation time.</param>
public sealed record SchemeResult(string Scheme, double Accuracy, double MacroAccuracy, double LogLoss, IReadOnlyList<LengthAccuracy> ByLength,
    IReadOnlyList<EpochPoint> Curve, int BestEpoch, IReadOnlyList<HeatmapData> Heatmaps, string Note, double Seconds);
