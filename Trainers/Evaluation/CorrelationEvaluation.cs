using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>How well scores rank and track labels: what ML.NET's regression metrics lack for sentence similarity.</summary>
/// <param name="PearsonCorrelation">Pearson correlation of labels and scores (NaN when either is constant).</param>
/// <param name="SpearmanCorrelation">Spearman rank correlation (ties share their mean rank; NaN when either is constant).</param>
/// <param name="RowCount">Rows evaluated (rows with a NaN label are skipped).</param>
public sealed record CorrelationMetrics(double PearsonCorrelation, double SpearmanCorrelation, long RowCount)
{
    /// <summary>Rows left out because their label was missing (NaN).</summary>
    public long SkippedRowCount { get; init; }
}

/// <summary>Adds <c>ml.Regression.EvaluateCorrelation</c>, next to ML.NET's <c>ml.Regression.Evaluate</c>.</summary>
public static class CorrelationEvaluation
{
    /// <summary>
    /// Pearson and Spearman correlation between a scored view's label and score columns (Single or Double); rows whose label is NaN
    /// are skipped, as ML.NET's regression evaluator skips them, and counted (<see cref="CorrelationMetrics.SkippedRowCount"/>). With
    /// one row, or a constant label or score column, the correlations are NaN (undefined), not an error.
    /// </summary>
    /// <param name="catalog">ML.NET's regression catalog.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">Label column.</param>
    /// <param name="scoreColumnName">Score column.</param>
    /// <exception cref="SchemaException">A column is missing or not Single/Double.</exception>
    /// <exception cref="InvalidOperationException">No row has a label.</exception>
    /// <exception cref="InvalidDataException">A score is not finite, or a label is infinite (naming the column and row).</exception>
    public static CorrelationMetrics EvaluateCorrelation(this RegressionCatalog catalog, IDataView data, string labelColumnName = "Label",
        string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var label = SchemaChecks.Require(data.Schema, labelColumnName);
        var score = SchemaChecks.Require(data.Schema, scoreColumnName);
        var ys = new List<double>();
        var fs = new List<double>();
        long skipped = 0;
        using (var cursor = data.GetRowCursor([label, score]))
        {
            var getY = Reader(cursor, label);
            var getF = Reader(cursor, score);
            while (cursor.MoveNext())
            {
                double y = getY();
                if (double.IsNaN(y))
                {
                    skipped++;
                    continue;
                }
                // An infinite label would make Pearson NaN and Spearman a rank game; it is a data error, not a missing value.
                if (!double.IsFinite(y))
                    throw new InvalidDataException($"Column '{label.Name}', row {cursor.Position}: label {y} is not finite.");
                double f = getF();
                if (!double.IsFinite(f))
                    throw new InvalidDataException($"Column '{score.Name}', row {cursor.Position}: score {f} is not finite.");
                ys.Add(y);
                fs.Add(f);
            }
        }
        if (ys.Count == 0)
            throw new InvalidOperationException($"No rows with a label in column '{label.Name}' to evaluate ({skipped} rows with a missing (NaN) label were skipped).");
        return new CorrelationMetrics(Correlation.Pearson(ys, fs), Correlation.Spearman(ys, fs), ys.Count) { SkippedRowCount = skipped };
    }

    private static Func<double> Reader(DataViewRow row, DataViewSchema.Column c)
    {
        if (c.Type.Equals(NumberDataViewType.Single))
        {
            var g = row.GetGetter<float>(c);
            float v = 0;
            return () => { g(ref v); return v; };
        }
        if (c.Type.Equals(NumberDataViewType.Double))
        {
            var g = row.GetGetter<double>(c);
            double v = 0;
            return () => { g(ref v); return v; };
        }
        throw SchemaException.WrongType(c.Name, "Single or Double", c.Type);
    }
}
