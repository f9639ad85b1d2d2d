using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MLComponents.Samples.SchemeReport;
using SkiaSharp;

namespace MLComponents.UnitTests.SampleApps;

/// <summary>
/// The SchemeReport sample on a small TSV with two schemes and a tiny model: it trains, prints its table, and writes an HTML report
/// whose every image exists and decodes and whose metrics table holds numbers. (How it looks is checked by eye in headless
/// Chromium; see the sample's README section.)
/// </summary>
[TestClass]
public sealed partial class SchemeReportTests
{
    [GeneratedRegex("""<img\b[^>]*\bsrc="(?<src>[^"]*)"[^>]*>""")]
    private static partial Regex ImageTag();

    [GeneratedRegex(@"<svg\b.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    [GeneratedRegex("""<table id="metrics">(?<body>.*?)</table>""", RegexOptions.Singleline)]
    private static partial Regex MetricsTable();

    [GeneratedRegex(@"<tr><td>(?<scheme>[a-z0-9]+)</td>(?<cells>.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex MetricsRow();

    [GeneratedRegex(@"<td[^>]*>(?<value>[^<]*)</td>")]
    private static partial Regex Cell();

    [TestMethod]
    public void TwoSchemes_WriteAReportWhoseImagesDecodeAndWhoseTablesHoldNumbers()
    {
        using var dir = SampleTestData.TempDirectory();
        string train = Write(Path.Combine(dir.Path, "train.tsv"), 240, 6, 16, seed: 1);
        string test = Write(Path.Combine(dir.Path, "test.tsv"), 120, 6, 40, seed: 2);
        string report = Path.Combine(dir.Path, "out", "report.html");

        var run = SampleRun.Of((a, o, e) => ReportApp.Run(a, o, e),
            "--train", train, "--test", test, "--schemes", "alibi,learned", "--epochs", "2", "--dimension", "16", "--layers", "1", "--out", report);

        Assert.AreEqual(0, run.Code, run.ToString());
        StringAssert.Contains(run.Output, $"Wrote the report to {report}");
        Assert.HasCount(2, Regex.Matches(run.Output, @"^scheme=(alibi|learned) accuracy=\d\.\d{4} log_loss=\d+\.\d{4}", RegexOptions.Multiline), run.ToString());
        Assert.HasCount(2 * 2, Regex.Matches(run.Output, @"^epoch \d/2 .* val_accuracy=\d\.\d{4}", RegexOptions.Multiline), run.ToString());
        string html = File.ReadAllText(report);

        // Every image is an embedded PNG that decodes: 2 bars + 1 length chart + 3 curves + 4 ALiBi heads + 1 learned table.
        var images = ImageTag().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.HasCount(11, images, "images in the report");
        foreach (string src in images)
        {
            Assert.StartsWith("data:image/png;base64,", src, "images are embedded, not linked");
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(src["data:image/png;base64,".Length..]));
            Assert.IsNotNull(bitmap, "the PNG decodes");
            Assert.IsGreaterThan(100, bitmap.Width);
            Assert.IsGreaterThan(100, bitmap.Height);
            Assert.IsTrue(HasInk(bitmap), "the PNG is not blank");
        }
        foreach (Match svg in SvgElement().Matches(html)) XDocument.Parse(svg.Value);

        // The metrics table: a row per scheme, every cell a number (or '-' for a length bucket a scheme has no rows in).
        var rows = MetricsRow().Matches(MetricsTable().Match(html).Groups["body"].Value).ToList();
        CollectionAssert.AreEqual(new[] { "alibi", "learned" }, rows.Select(r => r.Groups["scheme"].Value).ToArray());
        foreach (var row in rows)
        {
            var cells = Cell().Matches(row.Groups["cells"].Value).Select(c => c.Groups["value"].Value).ToList();
            Assert.IsGreaterThanOrEqualTo(6, cells.Count, row.Value);
            foreach (string cell in cells)
                Assert.IsTrue(cell == "-" || double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"'{cell}' in {row.Value}");
            double accuracy = double.Parse(cells[0], CultureInfo.InvariantCulture);
            Assert.IsTrue(accuracy is >= 0 and <= 1, row.Value);
        }
        StringAssert.Contains(html, "<h3>alibi</h3>");
        StringAssert.Contains(html, "<h3>learned</h3>");
    }

    [TestMethod]
    public void UnknownScheme_IsABadArgument()
    {
        var run = SampleRun.Of((a, o, e) => ReportApp.Run(a, o, e), "--schemes", "rope,nope");

        Assert.AreEqual(2, run.Code, run.ToString());
        StringAssert.Contains(run.Error, "'nope' is not one of");
    }

    /// <summary>Marker-order rows: fillers plus 'alpha' and 'beta', the label the one that comes first.</summary>
    private static string Write(string path, int count, int min, int max, int seed)
    {
        var rows = DefaultData.Generate(count, min, max, seed);
        File.WriteAllLines(path, ["Label\tText", .. rows.Select(r => $"{r.Label}\t{r.Text}")]);
        return path;
    }

    private static bool HasInk(SKBitmap bitmap)
    {
        var first = bitmap.GetPixel(0, 0);
        for (int y = 0; y < bitmap.Height; y += 7)
            for (int x = 0; x < bitmap.Width; x += 7)
                if (bitmap.GetPixel(x, y) != first) return true;
        return false;
    }
}
