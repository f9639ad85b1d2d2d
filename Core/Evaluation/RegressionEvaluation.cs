namespace MLComponents;

public sealed partial class RegressionCatalog
{
    /// <summary>
    /// Evaluates scored data: label and score are Single (or Double) columns; rows with a NaN label are skipped.
    /// </summary>
    /// <exception cref="SchemaException">A column is missing or not a Single/Double.</exception>
    public RegressionMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(data);
        var label = data.Schema[labelColumnName];
        var score = data.Schema[scoreColumnName];
        var read = new[] { Reader(label), Reader(score) };
        var ys = new List<double>();
        var fs = new List<double>();
        using (var cursor = data.GetRowCursor([label, score]))
        {
            var getY = read[0](cursor);
            var getF = read[1](cursor);
            while (cursor.MoveNext())
            {
                double labelValue = getY();
                if (double.IsNaN(labelValue)) continue;
                ys.Add(labelValue);
                fs.Add(getF());
            }
        }
        if (ys.Count == 0) throw new InvalidOperationException($"No rows with a label in column '{label.Name}' to evaluate.");
        int n = ys.Count;
        double mae = 0, mse = 0, meanY = ys.Average();
        double ssTot = 0;
        for (int i = 0; i < n; i++)
        {
            double e = ys[i] - fs[i];
            mae += Math.Abs(e);
            mse += e * e;
            ssTot += (ys[i] - meanY) * (ys[i] - meanY);
        }
        double r2 = ssTot > 0 ? 1 - mse / ssTot : double.NaN;
        var y = ys.ToArray();
        var f = fs.ToArray();
        return new RegressionMetrics(mae / n, mse / n, r2, Correlation.Pearson(y, f), Correlation.Pearson(Correlation.Ranks(y), Correlation.Ranks(f)));
    }

    private static Func<DataViewRow, Func<double>> Reader(DataViewSchema.Column c)
    {
        if (c.Type.Equals(NumberDataViewType.Single))
            return row => { var g = row.GetGetter<float>(c); float v = 0; return () => { g(ref v); return v; }; };
        if (c.Type.Equals(NumberDataViewType.Double))
            return row => { var g = row.GetGetter<double>(c); double v = 0; return () => { g(ref v); return v; }; };
        throw SchemaException.WrongType(c.Name, "Single or Double", c.Type);
    }
}

/// <summary>Correlation helpers for the evaluators.</summary>
internal static class Correlation
{
    public static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    /// <summary>1-based ranks; tied values share the mean of the ranks they span.</summary>
    public static double[] Ranks(double[] v)
    {
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) ranks[order[t]] = mean;
            i = j + 1;
        }
        return ranks;
    }
}
