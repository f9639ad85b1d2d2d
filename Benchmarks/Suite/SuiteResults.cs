using System.Globalization;

namespace MLComponents.Benchmarks.Suite;

/// <summary>One trained scheme on one task.</summary>
/// <param name="Engine">"ours" or "torch" (the PyTorch peer).</param>
/// <param name="Task">Task name.</param>
/// <param name="Scheme">Position scheme.</param>
/// <param name="Metric">"accuracy" or "spearman".</param>
/// <param name="ByLength">The metric per test length ("1x", "4x", ...).</param>
/// <param name="LogLoss">Log-loss at training lengths (classification).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Seconds">Wall time of training and testing.</param>
/// <param name="Settings">"defaults" or the overrides.</param>
/// <param name="Losses">Mean training loss of each epoch.</param>
public sealed record SuiteResult(string Engine, string Task, string Scheme, string Metric, IReadOnlyDictionary<string, double> ByLength,
    double? LogLoss, int Epochs, double Seconds, string Settings, IReadOnlyList<double> Losses);

/// <summary>
/// The suite's results file (TSV, one row per run, appended as runs finish, so a long run keeps what it did; the PyTorch peer
/// writes the same columns) and its table: a row per task and test length, a column per scheme.
/// </summary>
public static class SuiteResults
{
    // 5x came later: it is the last column, so files written before it (and by older peers) still read.
    private const string Header = "engine\ttask\tscheme\tmetric\t1x\t4x\t8x\t16x\tlog_loss\tepochs\tseconds\tsettings\tlosses\t5x";
    private static readonly string[] Columns = ["1x", "4x", "8x", "16x"];
    private static readonly string[] Lengths = ["1x", "4x", "5x", "8x", "16x"];

    /// <summary>Appends one row (and the header to a new file).</summary>
    public static void Append(string path, SuiteResult r)
    {
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        using var w = new StreamWriter(path, append: true);
        if (fresh) w.Write(Header + "\n");
        string Num(double? v) => v is double x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "";
        w.Write(string.Join('\t', r.Engine, r.Task, r.Scheme, r.Metric, Num(Get(r, "1x")), Num(Get(r, "4x")), Num(Get(r, "8x")), Num(Get(r, "16x")),
            Num(r.LogLoss), r.Epochs.ToString(CultureInfo.InvariantCulture), r.Seconds.ToString("0.0", CultureInfo.InvariantCulture), r.Settings,
            string.Join(',', r.Losses.Select(l => l.ToString("0.0000", CultureInfo.InvariantCulture))), Num(Get(r, "5x"))) + "\n");
    }

    /// <summary>Reads a results file written by <see cref="Append"/> or by the peer.</summary>
    public static List<SuiteResult> Read(string path)
    {
        var rows = new List<SuiteResult>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length < 13) continue;
            static double? N(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
            var byLength = new Dictionary<string, double>();
            for (int i = 0; i < Columns.Length; i++) if (N(f[4 + i]) is double v) byLength[Columns[i]] = v;
            if (f.Length > 13 && N(f[13]) is double fiveX) byLength["5x"] = fiveX;
            rows.Add(new SuiteResult(f[0], f[1], f[2], f[3], byLength, N(f[8]), int.Parse(f[9], CultureInfo.InvariantCulture),
                double.Parse(f[10], CultureInfo.InvariantCulture), f[11],
                f[12].Length == 0 ? [] : [.. f[12].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture))]));
        }
        return rows;
    }

    /// <summary>
    /// A markdown table: a row per (engine, settings, task, length), a column per scheme; accuracy for classifiers, Spearman
    /// for similarity. When a run was repeated the last one counts.
    /// </summary>
    public static void Print(IReadOnlyList<SuiteResult> results, TextWriter output)
    {
        var schemes = SuiteSchemes.Names.Where(k => results.Any(r => r.Scheme == k)).ToList();
        output.WriteLine($"| engine | settings | task | metric | length | {string.Join(" | ", schemes)} |");
        output.WriteLine($"| --- | --- | --- | --- | --- |{string.Concat(schemes.Select(_ => " --- |"))}");
        foreach (var group in results.GroupBy(r => (r.Engine, r.Settings, r.Task)))
        {
            var last = group.GroupBy(r => r.Scheme).ToDictionary(g => g.Key, g => g.Last());
            foreach (string length in Lengths.Where(l => group.Any(r => r.ByLength.ContainsKey(l))))
            {
                var cells = schemes.Select(s => last.TryGetValue(s, out var r) && r.ByLength.TryGetValue(length, out double v)
                    ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-");
                output.WriteLine($"| {group.Key.Engine} | {group.Key.Settings} | {group.Key.Task} | {group.First().Metric} | {length} | {string.Join(" | ", cells)} |");
            }
        }
    }

    private static double? Get(SuiteResult r, string length) => r.ByLength.TryGetValue(length, out double v) ? v : null;
}
