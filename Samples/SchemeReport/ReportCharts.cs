using ScottPlot;

namespace MLComponents.Samples.SchemeReport;

/// <summary>The report's charts, drawn with ScottPlot and returned as PNG bytes (embedded in the HTML as data URIs).</summary>
public static class ReportCharts
{
    private const int Width = 640, Height = 360;

    /// <summary>A bar per scheme of <paramref name="value"/> (accuracy, log-loss...).</summary>
    public static byte[] Bars(IReadOnlyList<SchemeResult> results, Func<SchemeResult, double> value, string title, string axis)
    {
        var plot = new Plot();
        var bars = results.Select((r, i) => new Bar { Position = i, Value = value(r), FillColor = Palette(i) }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. results.Select((_, i) => (double)i)], [.. results.Select(r => r.Scheme)]);
        // Ten names side by side run into each other ("sinusoidallearned"); slanted they do not.
        plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 70;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(axis);
        return Png(plot, Width, Height);
    }

    /// <summary>Accuracy against the token-count bucket, a line per scheme.</summary>
    public static byte[] AccuracyByLength(IReadOnlyList<SchemeResult> results)
    {
        var plot = new Plot();
        var buckets = results.SelectMany(r => r.ByLength).Select(b => (b.Max, b.Bucket)).Distinct().OrderBy(b => b.Max).ToList();
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            double[] xs = [.. r.ByLength.Select(b => (double)buckets.FindIndex(x => x.Max == b.Max))];
            double[] ys = [.. r.ByLength.Select(b => b.Accuracy)];
            var line = plot.Add.Scatter(xs, ys, Palette(i));
            line.LegendText = r.Scheme;
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. buckets.Select((_, i) => (double)i)], [.. buckets.Select(b => b.Bucket)]);
        plot.Axes.SetLimitsY(0, 1.05);
        plot.Title("Accuracy by input length");
        plot.XLabel("tokens in the test sentence");
        plot.YLabel("accuracy");
        plot.ShowLegend(Alignment.LowerLeft);
        return Png(plot, 2 * Width - 160, Height + 60);
    }

    /// <summary>One value per epoch, a line per scheme (training loss, validation accuracy...).</summary>
    public static byte[] Curves(IReadOnlyList<SchemeResult> results, Func<EpochPoint, double?> value, string title, string axis)
    {
        var plot = new Plot();
        for (int i = 0; i < results.Count; i++)
        {
            var points = results[i].Curve.Where(p => value(p) is not null).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => (double)p.Epoch).ToArray(), points.Select(p => value(p)!.Value).ToArray(), Palette(i));
            line.LegendText = results[i].Scheme;
            line.LineWidth = 2;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(axis);
        plot.ShowLegend(Alignment.UpperRight);
        return Png(plot, Width, Height);
    }

    /// <summary>A matrix as a heatmap with a colour bar; row 0 at the top.</summary>
    public static byte[] Heatmap(HeatmapData data)
    {
        var plot = new Plot();
        var map = plot.Add.Heatmap(data.Values);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(map);
        plot.Axes.InvertY();
        plot.Axes.Margins(0, 0);
        plot.Title(data.Title, size: 12);
        plot.XLabel(data.ColumnLabel);
        plot.YLabel(data.RowLabel);
        return Png(plot, 420, 380);
    }

    private static Color Palette(int i) => new ScottPlot.Palettes.Category10().GetColor(i);

    private static byte[] Png(Plot plot, int width, int height) => plot.GetImageBytes(width, height, ImageFormat.Png);
}
