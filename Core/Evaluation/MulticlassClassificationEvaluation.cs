using System.Globalization;

namespace MLComponents;

public sealed partial class MulticlassClassificationCatalog
{
    /// <summary>
    /// Evaluates scored data. The label is a key column (rows with key 0 are skipped); the score is a float
    /// vector of class probabilities, element c for key c + 1. The predicted label is read when the column exists
    /// and is a key, else (absent, or turned into values by MapKeyToValue) taken as the arg-max of the scores (first maximum).
    /// </summary>
    /// <param name="data">Scored rows.</param>
    /// <param name="labelColumnName">Key column of true classes.</param>
    /// <param name="scoreColumnName">Float vector of class probabilities.</param>
    /// <param name="predictedLabelColumnName">Key column of predicted classes (optional).</param>
    /// <param name="topKPredictionCount">K for <see cref="MulticlassClassificationMetrics.TopKAccuracy"/>; 0 skips it.</param>
    /// <exception cref="SchemaException">A column is missing or of the wrong type.</exception>
    public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", int topKPredictionCount = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(topKPredictionCount);
        var schema = data.Schema;
        var label = schema[labelColumnName];
        if (label.Type is not KeyDataViewType labelKey) throw SchemaException.WrongType(label.Name, "a key (map the label with MapValueToKey)", label.Type);
        var score = schema[scoreColumnName];
        if (score.Type is not VectorDataViewType { ItemType: NumberDataViewType } sv || sv.ItemType.RawType != typeof(float))
            throw SchemaException.WrongType(score.Name, "a vector of Single", score.Type);
        // A pipeline ending in MapKeyToValue("PredictedLabel") (the README's) hides the key with its values; as in
        // ML.NET, evaluation then falls back to the arg-max of the scores rather than failing.
        var predicted = schema.GetColumnOrNull(predictedLabelColumnName);
        if (predicted is not null && predicted.Type is not KeyDataViewType) predicted = null;
        int k = sv.IsKnownSize ? sv.Size : checked((int)labelKey.Count);
        if (topKPredictionCount > k) throw new ArgumentOutOfRangeException(nameof(topKPredictionCount), topKPredictionCount, $"K exceeds the {k} classes.");

        var counts = new double[k][];
        for (int i = 0; i < k; i++) counts[i] = new double[k];
        var classRows = new double[k];
        var classLogLoss = new double[k];
        var rankCounts = new long[k];
        double logLoss = 0;
        long rows = 0, correct = 0;

        var needed = predicted is null ? new[] { label, score } : [label, score, predicted];
        using (var cursor = data.GetRowCursor(needed))
        {
            var getLabel = cursor.GetGetter<uint>(label);
            var getScore = cursor.GetGetter<VBuffer<float>>(score);
            var getPred = predicted is null ? null : cursor.GetGetter<uint>(predicted);
            uint y = 0, yHat = 0;
            VBuffer<float> s = default;
            while (cursor.MoveNext())
            {
                getLabel(ref y);
                if (y == 0) continue;
                if (y > k) throw new InvalidDataException($"Column '{label.Name}', row {cursor.Position}: label key {y} exceeds the {k} scores of '{score.Name}'.");
                getScore(ref s);
                var p = s.GetValues();
                if (p.Length != k) throw new InvalidDataException($"Column '{score.Name}', row {cursor.Position}: {p.Length} scores, {k} expected.");
                int c = (int)y - 1;
                if (getPred is not null) getPred(ref yHat);
                else yHat = (uint)ArgMax(p) + 1;

                rows++;
                classRows[c]++;
                double ll = -Math.Log(Math.Max(p[c], 1e-15));
                logLoss += ll;
                classLogLoss[c] += ll;
                if (yHat == y) correct++;
                if (yHat >= 1 && yHat <= k) counts[c][yHat - 1]++;
                int rank = 0;
                for (int j = 0; j < k; j++) if (p[j] > p[c]) rank++;
                rankCounts[rank]++;
            }
        }
        if (rows == 0) throw new InvalidOperationException($"No rows with a label in column '{label.Name}' to evaluate.");

        var confusion = new ConfusionMatrix(counts, ClassNames(label, k));
        double prior = 0;
        foreach (var n in classRows) if (n > 0) prior -= n / rows * Math.Log(n / rows);
        double meanLogLoss = logLoss / rows;
        double macro = Enumerable.Range(0, k).Where(c => classRows[c] > 0).Average(c => confusion.PerClassRecall[c]);
        var topAll = new double[topKPredictionCount];
        long cum = 0;
        for (int i = 0; i < topKPredictionCount; i++) { cum += rankCounts[i]; topAll[i] = (double)cum / rows; }
        return new MulticlassClassificationMetrics(
            micro: (double)correct / rows,
            macro: macro,
            logLoss: meanLogLoss,
            logLossReduction: prior > 0 ? 1 - meanLogLoss / prior : double.NaN,
            topK: topKPredictionCount,
            topKAccuracy: topKPredictionCount > 0 ? topAll[^1] : 0,
            topKForAll: topAll,
            perClassLogLoss: [.. Enumerable.Range(0, k).Select(c => classRows[c] > 0 ? classLogLoss[c] / classRows[c] : double.NaN)],
            confusion: confusion);
    }

    private static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int j = 1; j < p.Length; j++) if (p[j] > p[best]) best = j;
        return best;
    }

    private static string[] ClassNames(DataViewSchema.Column label, int k)
    {
        var names = Enumerable.Range(0, k).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var raw = label.Annotations.GetRawOrNull(DataViewSchema.Annotations.KeyValuesKind);
        if (raw is null) return names;
        var values = raw switch
        {
            VBuffer<ReadOnlyMemory<char>> t => t.DenseValues().Select(v => v.ToString()).ToArray(),
            VBuffer<float> f => f.DenseValues().Select(v => KeyValueCodec.ToText(v)).ToArray(),
            VBuffer<double> d => d.DenseValues().Select(v => KeyValueCodec.ToText(v)).ToArray(),
            VBuffer<int> i => i.DenseValues().Select(v => KeyValueCodec.ToText(v)).ToArray(),
            VBuffer<uint> u => u.DenseValues().Select(v => KeyValueCodec.ToText(v)).ToArray(),
            VBuffer<long> l => l.DenseValues().Select(v => KeyValueCodec.ToText(v)).ToArray(),
            VBuffer<bool> b => b.DenseValues().Select(v => KeyValueCodec.ToText(v)).ToArray(),
            _ => [],
        };
        for (int i = 0; i < Math.Min(k, values.Length); i++) names[i] = values[i];
        return names;
    }
}
