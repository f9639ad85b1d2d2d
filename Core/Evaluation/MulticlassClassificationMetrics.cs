using System.Globalization;
using System.Text;

namespace MLComponents;

/// <summary>Quality of a multiclass classifier (ML.NET's MulticlassClassificationMetrics).</summary>
public sealed class MulticlassClassificationMetrics
{
    internal MulticlassClassificationMetrics(double micro, double macro, double logLoss, double logLossReduction,
        int topK, double topKAccuracy, double[] topKForAll, double[] perClassLogLoss, ConfusionMatrix confusion)
    {
        MicroAccuracy = micro; MacroAccuracy = macro; LogLoss = logLoss; LogLossReduction = logLossReduction;
        TopKPredictionCount = topK; TopKAccuracy = topKAccuracy; TopKAccuracyForAllK = topKForAll;
        PerClassLogLoss = perClassLogLoss; ConfusionMatrix = confusion;
    }

    /// <summary>Share of rows whose predicted class is the label.</summary>
    public double MicroAccuracy { get; }

    /// <summary>Mean over the classes present in the labels of each class's recall (accuracy on that class).</summary>
    public double MacroAccuracy { get; }

    /// <summary>Mean of -ln(p(label)) with probabilities clipped below at 1e-15.</summary>
    public double LogLoss { get; }

    /// <summary>
    /// 1 - LogLoss / prior log-loss, where the prior predicts the label frequencies of this data
    /// (its log-loss is their entropy). 0 means no better than the prior; NaN when only one class occurs.
    /// </summary>
    public double LogLossReduction { get; }

    /// <summary>The K of <see cref="TopKAccuracy"/> (0: not computed).</summary>
    public int TopKPredictionCount { get; }

    /// <summary>Share of rows whose label's score is among the K highest (ties in favour of the label); 0 when K is 0.</summary>
    public double TopKAccuracy { get; }

    /// <summary>Top-k accuracy for k = 1..TopKPredictionCount (empty when K is 0).</summary>
    public IReadOnlyList<double> TopKAccuracyForAllK { get; }

    /// <summary>Log-loss of the rows of each class (NaN for a class with no rows).</summary>
    public IReadOnlyList<double> PerClassLogLoss { get; }

    /// <summary>Counts of (label, prediction) pairs.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }
}

/// <summary>Counts of rows by true class (rows) and predicted class (columns).</summary>
public sealed class ConfusionMatrix
{
    private readonly double[][] _counts;

    internal ConfusionMatrix(double[][] counts, IReadOnlyList<string> classNames)
    {
        _counts = counts;
        NumberOfClasses = counts.Length;
        ClassNames = classNames;
        var precision = new double[NumberOfClasses];
        var recall = new double[NumberOfClasses];
        for (int c = 0; c < NumberOfClasses; c++)
        {
            double predicted = 0, actual = 0;
            for (int o = 0; o < NumberOfClasses; o++) { predicted += counts[o][c]; actual += counts[c][o]; }
            // A class never predicted (or never present) gets 0, as in ML.NET, rather than NaN.
            precision[c] = predicted > 0 ? counts[c][c] / predicted : 0;
            recall[c] = actual > 0 ? counts[c][c] / actual : 0;
        }
        PerClassPrecision = precision;
        PerClassRecall = recall;
    }

    /// <summary>Number of classes.</summary>
    public int NumberOfClasses { get; }

    /// <summary>Counts[actual][predicted], classes indexed by key - 1.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Counts => _counts;

    /// <summary>Per class: correct predictions of it / all predictions of it (0 if never predicted).</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Per class: correct predictions of it / rows of it (0 if absent).</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>Class names (from the label's KeyValues annotation, else the 0-based indices).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The count of rows of class <paramref name="actualClassIndex"/> predicted as <paramref name="predictedClassIndex"/>.</summary>
    public double GetCountForClassPair(int predictedClassIndex, int actualClassIndex) => _counts[actualClassIndex][predictedClassIndex];

    /// <summary>A text table: truth by rows, predictions by columns, recall per row and precision per column.</summary>
    public string GetFormattedConfusionTable()
    {
        var inv = CultureInfo.InvariantCulture;
        int n = NumberOfClasses;
        int nameWidth = Math.Max(9, ClassNames.Max(s => s.Length));
        int cell = Math.Max(7, _counts.SelectMany(r => r).Select(v => v.ToString("0", inv).Length).DefaultIfEmpty(1).Max() + 1);
        cell = Math.Max(cell, ClassNames.Max(s => Math.Min(s.Length, 12)) + 1);
        var sb = new StringBuilder();
        string Head(string s) => (s.Length > cell - 1 ? s[..(cell - 1)] : s).PadLeft(cell);
        string rule = new string(' ', nameWidth) + " ||" + new string('=', n * (cell + 2) + 8);
        sb.AppendLine("Confusion table");
        sb.AppendLine(rule);
        sb.Append("PREDICTED".PadRight(nameWidth)).Append(" ||");
        for (int j = 0; j < n; j++) sb.Append(Head(ClassNames[j])).Append(" |");
        sb.AppendLine(" Recall");
        sb.Append("TRUTH".PadRight(nameWidth)).AppendLine(" ||" + new string('=', n * (cell + 2) + 8));
        for (int i = 0; i < n; i++)
        {
            sb.Append(ClassNames[i].PadLeft(nameWidth)).Append(" ||");
            for (int j = 0; j < n; j++) sb.Append(_counts[i][j].ToString("0", inv).PadLeft(cell)).Append(" |");
            sb.Append(' ').AppendLine(PerClassRecall[i].ToString("0.0000", inv));
        }
        sb.AppendLine(rule);
        sb.Append("Precision".PadRight(nameWidth)).Append(" ||");
        for (int j = 0; j < n; j++) sb.Append(PerClassPrecision[j].ToString("0.0000", inv).PadLeft(cell)).Append(" |");
        sb.AppendLine();
        return sb.ToString();
    }
}
