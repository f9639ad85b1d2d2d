using TorchSharp;

namespace MLComponents.TorchSharp;

/// <summary>Sets libtorch's intra-op thread count for a training run and puts the previous one back.</summary>
internal readonly struct TorchThreads : IDisposable
{
    private readonly int _previous;

    public TorchThreads(int threads)
    {
        _previous = torch.get_num_threads();
        torch.set_num_threads(Math.Max(1, threads));
    }

    public void Dispose() => torch.set_num_threads(_previous);
}

/// <summary>Pearson and Spearman correlation for the similarity trainer's validation (ties share their mean rank).</summary>
internal static class Correlations
{
    public static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    public static double Spearman(double[] x, double[] y) => Pearson(Ranks(x), Ranks(y));

    private static double[] Ranks(double[] v)
    {
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]])
            {
                j++;
            }
            for (int k = i; k <= j; k++)
            {
                ranks[order[k]] = ((i + j) / 2.0) + 1;
            }
            i = j + 1;
        }
        return ranks;
    }
}
