using System.Globalization;

namespace MLComponents.Benchmarks;

/// <summary>
/// Prints, per metric, our figure with 1 and 2 threads, the peer's best (over its 1- and 2-thread runs)
/// and the ratio of our best to it, always as "times better": ours/torch for throughput, torch/ours for
/// latency. Missing figures print as "-".
/// </summary>
internal sealed class SideBySide(TextWriter output)
{
    private bool _headerWritten;

    /// <summary>One metric's row.</summary>
    public void Row(string metric, double? ours1, double? ours2, double? torch, string unit, bool lowerIsBetter = false)
    {
        if (!_headerWritten)
        {
            output.WriteLine($"  {"metric",-44} {"ours t1",10} {"ours t2",10} {"torch best",11} {"ours/torch",11}  unit");
            _headerWritten = true;
        }

        double? best = (ours1, ours2) switch
        {
            (double a, double b) => lowerIsBetter ? Math.Min(a, b) : Math.Max(a, b),
            (double a, null) => a,
            (null, double b) => b,
            _ => null,
        };
        string ratio = best is double o && torch is double p && o > 0 && p > 0 ? $"{(lowerIsBetter ? p / o : o / p):F2}x" : "-";
        output.WriteLine($"  {metric,-44} {Format(ours1),10} {Format(ours2),10} {Format(torch),11} {ratio,11}  {unit}");
    }

    /// <summary>A line of text between rows.</summary>
    public void Note(string text) => output.WriteLine(text);

    private static string Format(double? x) => x is double v
        ? v.ToString(v >= 1000 ? "F0" : v >= 10 ? "F1" : "F3", CultureInfo.InvariantCulture)
        : "-";
}
