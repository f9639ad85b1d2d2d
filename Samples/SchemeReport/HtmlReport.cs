using System.Globalization;
using System.Net;
using System.Text;

namespace MLComponents.Samples.SchemeReport;

/// <summary>
/// Writes the report as one self-contained HTML page: every chart a PNG data URI, no script, no external file, so it opens in
/// any browser and can be mailed as it is.
/// </summary>
public static class HtmlReport
{
    /// <summary>The page for <paramref name="results"/>; <paramref name="dataDescription"/> says what was trained on.</summary>
    public static string Build(IReadOnlyList<SchemeResult> results, string dataDescription, ReportSettings settings)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Position-encoding scheme report</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1320px; }
            table { border-collapse: collapse; margin: 8px 0 16px; }
            th, td { border: 1px solid #bbb; padding: 4px 10px; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            th { background: #eee; }
            td.best { font-weight: bold; background: #e6f4e6; }
            .charts img { margin: 4px 8px 8px 0; border: 1px solid #ddd; }
            .scheme { margin-bottom: 18px; }
            .note { color: #555; font-size: 90%; }
            </style></head><body>
            <h1>Position-encoding scheme report</h1>
            """);
        string size = (settings.ModelDimension > 0 ? string.Create(CultureInfo.InvariantCulture, $", model dimension {settings.ModelDimension}") : "") +
            (settings.Layers > 0 ? string.Create(CultureInfo.InvariantCulture, $", {settings.Layers} layers") : "");
        html.Append(string.Create(CultureInfo.InvariantCulture,
            $"<p>{Encode(dataDescription)}<br>Transformer classifier, default options except: all {settings.Epochs} epoch{(settings.Epochs == 1 ? "" : "s")} run (no early stop, for whole curves), max tokens {settings.MaxTokens}{size}; seed {settings.Seed}. A tenth of the training rows is held out for the per-epoch validation curves, and the best validated epoch's weights are kept.</p>\n"));

        html.Append("<h2>Test metrics</h2>\n");
        var buckets = results.SelectMany(r => r.ByLength).Select(b => (b.Max, b.Bucket)).Distinct().OrderBy(b => b.Max).ToList();
        double bestAccuracy = results.Max(r => r.Accuracy), bestLogLoss = results.Min(r => r.LogLoss);
        html.Append("<table id=\"metrics\"><tr><th>scheme</th><th>accuracy</th><th>macro accuracy</th><th>log-loss</th>");
        foreach (var b in buckets) html.Append(CultureInfo.InvariantCulture, $"<th>acc. {b.Bucket} tokens</th>");
        html.Append("<th>best epoch</th><th>seconds</th></tr>\n");
        foreach (var r in results)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{r.Scheme}</td>{Cell(r.Accuracy, r.Accuracy == bestAccuracy)}{Cell(r.MacroAccuracy, false)}" +
                $"{Cell(r.LogLoss, r.LogLoss == bestLogLoss)}");
            foreach (var b in buckets)
            {
                var at = r.ByLength.FirstOrDefault(x => x.Max == b.Max);
                html.Append(at is null ? "<td>-</td>" : Cell(at.Accuracy, false));
            }
            html.Append(CultureInfo.InvariantCulture, $"<td>{r.BestEpoch}</td><td>{r.Seconds:0}</td></tr>\n");
        }
        html.Append("</table>\n<p class=\"note\">Test rows per length bucket: ");
        html.Append(string.Join(", ", buckets.Select(b => $"{b.Bucket} tokens: {results[0].ByLength.FirstOrDefault(x => x.Max == b.Max)?.Rows ?? 0}")));
        html.Append(". Text longer than the max tokens is truncated and counted in the last bucket.</p>\n");

        html.Append("<div class=\"charts\">");
        Image(html, ReportCharts.Bars(results, r => r.Accuracy, "Test accuracy", "accuracy"), "test accuracy per scheme");
        Image(html, ReportCharts.Bars(results, r => r.LogLoss, "Test log-loss (lower is better)", "log-loss"), "test log-loss per scheme");
        html.Append("</div>\n<h2>Accuracy against input length</h2>\n<div class=\"charts\">");
        Image(html, ReportCharts.AccuracyByLength(results), "accuracy by input length per scheme");
        html.Append("</div>\n<h2>Training curves</h2>\n<div class=\"charts\">");
        Image(html, ReportCharts.Curves(results, p => p.Loss, "Training loss", "loss"), "training loss per epoch");
        Image(html, ReportCharts.Curves(results, p => p.ValidationAccuracy, "Validation accuracy", "accuracy"), "validation accuracy per epoch");
        Image(html, ReportCharts.Curves(results, p => p.ValidationLogLoss, "Validation log-loss", "log-loss"), "validation log-loss per epoch");
        html.Append("</div>\n<h2>What each scheme learned</h2>\n");
        foreach (var r in results)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"scheme\"><h3>{r.Scheme}</h3><p class=\"note\">{Encode(r.Note)}</p><div class=\"charts\">");
            foreach (var map in r.Heatmaps) Image(html, ReportCharts.Heatmap(map), map.Title);
            html.Append("</div></div>\n");
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string Cell(double value, bool best) =>
        string.Create(CultureInfo.InvariantCulture, $"<td{(best ? " class=\"best\"" : "")}>{value:0.0000}</td>");

    private static void Image(StringBuilder html, byte[] png, string alt) =>
        html.Append(CultureInfo.InvariantCulture, $"<img alt=\"{Encode(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
