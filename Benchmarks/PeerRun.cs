using System.Globalization;

namespace MLComponents.Benchmarks;

/// <summary>
/// One peer engine run with 1 and with 2 threads, keeping per metric the better of the two (higher
/// throughput, lower for keys ending in _ms or _mb), so we meet each peer's best configuration.
/// </summary>
internal sealed class PeerRun
{
    private PeerRun(string name, IReadOnlyDictionary<string, double> best, string description)
    {
        Name = name;
        Best = best;
        Description = description;
    }

    /// <summary>The peer's column title ("PyTorch", "TorchSharp").</summary>
    public string Name { get; }

    /// <summary>Best figure per key.</summary>
    public IReadOnlyDictionary<string, double> Best { get; }

    /// <summary>The peer's version line and each metric's 1- and 2-thread figures.</summary>
    public string Description { get; }

    /// <summary>The best figure for <paramref name="key"/>, or null when the peer did not report it.</summary>
    public double? this[string key] => Best.TryGetValue(key, out double v) ? v : null;

    /// <summary>
    /// One peer's runs from several rounds as one: per key the best over every round (and thread count), described
    /// round by round, so a busy spell on the machine during one round does not decide the peer's figure.
    /// </summary>
    public static PeerRun Merge(IReadOnlyList<PeerRun> rounds)
    {
        if (rounds.Count == 1)
        {
            return rounds[0];
        }

        var best = new Dictionary<string, double>();
        foreach (string key in rounds.SelectMany(r => r.Best.Keys).Distinct())
        {
            var values = rounds.Where(r => r.Best.ContainsKey(key)).Select(r => r.Best[key]).ToList();
            best[key] = Better(key, values);
        }

        string description = string.Join(Environment.NewLine + "    ", rounds.Select((r, i) => $"round {i + 1}: {r.Description}"));
        return new PeerRun(rounds[0].Name, best, description);
    }

    /// <summary>The better of several figures for <paramref name="key"/>: the least for latency and memory, else the most.</summary>
    private static double Better(string key, IEnumerable<double> values) => LowerIsBetter(key) ? values.Min() : values.Max();

    /// <summary>True when a smaller value of <paramref name="key"/> is better (latency, memory).</summary>
    public static bool LowerIsBetter(string key) => key.EndsWith("_ms", StringComparison.Ordinal) || key.EndsWith("_mb", StringComparison.Ordinal);

    /// <summary>
    /// Runs "program [before...] threads [after...]" for threads 1 and 2; null (reason logged) when it cannot run.
    /// Lines starting with <paramref name="headerPrefix"/> name the peer's version; the rest are key=value figures.
    /// </summary>
    public static PeerRun? Run(string name, string program, IReadOnlyList<string> before, IReadOnlyList<string> after,
        string workingDirectory, string headerPrefix, TextWriter log)
    {
        var runs = new List<(int Threads, PeerProcess.Result Result)>();
        foreach (int threads in new[] { 1, 2 })
        {
            string shown = string.Join(' ', before.Select(Path.GetFileName));
            log.WriteLine($"  {name}: running {program} {shown} {threads}{(after.Count > 0 ? " <" + after.Count + " shapes>" : "")}");
            var result = PeerProcess.Run(program, [.. before, threads.ToString(CultureInfo.InvariantCulture), .. after], workingDirectory, headerPrefix);
            if (!result.Ok)
            {
                log.WriteLine($"  {name} peer unavailable ({result.Error}); its column stays empty.");
                return null;
            }

            runs.Add((threads, result));
        }

        var best = new Dictionary<string, double>();
        var perKey = new List<string>();
        foreach (string key in runs.SelectMany(r => r.Result.Values.Keys).Distinct())
        {
            var candidates = runs.Where(r => r.Result.Values.ContainsKey(key)).ToList();
            var values = candidates.Select(r => r.Result.Values[key]).ToList();
            best[key] = Better(key, values);
            perKey.Add($"{key} " + string.Join(" / ", candidates.Select(r => $"t{r.Threads}={r.Result.Values[key].ToString("G4", CultureInfo.InvariantCulture)}")));
        }

        string header = runs[0].Result.Header;
        string version = header.Length > 0 ? header.Replace(" threads=1", "", StringComparison.Ordinal) : name;
        return new PeerRun(name, best, version + ": " + string.Join("; ", perKey));
    }
}
