namespace MLComponents;

/// <summary>Pearson and Spearman correlation of two equally long series.</summary>
public static class Correlation
{
    /// <summary>Pearson correlation (NaN when either series is constant or has fewer than two values).</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"The series have {x.Count} and {y.Count} values.", nameof(y));
        if (x.Count < 2) return double.NaN;
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    /// <summary>Spearman rank correlation: Pearson of the ranks, ties sharing their mean rank.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) => Pearson(Ranks(x), Ranks(y));

    /// <summary>1-based ranks; tied values share the mean of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> v)
    {
        ArgumentNullException.ThrowIfNull(v);
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            double mean = ((i + j) / 2.0) + 1;
            for (int t = i; t <= j; t++) ranks[order[t]] = mean;
            i = j + 1;
        }
        return ranks;
    }
}
