using System.Globalization;

namespace MLComponents.Benchmarks;

/// <summary>
/// Prints, per metric, our figure with 1 and 2 threads, each peer's best (over its 1- and 2-thread runs) and the
/// ratio of our best to the best peer, always as "times better": ours/peer for throughput, peer/ours for latency
/// and memory. Missing figures print as "-".
/// </summary>
internal sealed class SideBySide(TextWriter output, IReadOnlyList<string> peers)
{
    private bool _headerWritten;

    /// <summary>One metric's row; <paramref name="peerValues"/> in the order of the peers given to the constructor.</summary>
    public void Row(string metric, double? ours1, double? ours2, IReadOnlyList<double?> peerValues, string unit, bool lowerIsBetter = false)
    {
        if (!_headerWritten)
        {
            output.WriteLine($"  {"metric",-44} {"ours t1",10} {"ours t2",10}{string.Concat(peers.Select(p => $" {p,11}"))} {"ours/best peer",15}  unit");
            _headerWritten = true;
        }

        double? best = Better(ours1, ours2, lowerIsBetter);
        double? peer = null;
        foreach (double? v in peerValues)
        {
            peer = Better(peer, v, lowerIsBetter);
        }

        string ratio = best is double o && peer is double p && o > 0 && p > 0 ? $"{(lowerIsBetter ? p / o : o / p):F2}x" : "-";
        output.WriteLine($"  {metric,-44} {Format(ours1),10} {Format(ours2),10}{string.Concat(peerValues.Select(v => $" {Format(v),11}"))} {ratio,15}  {unit}");
    }

    /// <summary>A line of text between rows.</summary>
    public void Note(string text) => output.WriteLine(text);

    private static double? Better(double? a, double? b, bool lowerIsBetter) => (a, b) switch
    {
        (double x, double y) => lowerIsBetter ? Math.Min(x, y) : Math.Max(x, y),
        (double x, null) => x,
        (null, double y) => y,
        _ => null,
    };

    private static string Format(double? x) => x is double v
        ? v.ToString(v >= 1000 ? "F0" : v >= 10 ? "F1" : "F3", CultureInfo.InvariantCulture)
        : "-";
}
