using System.Globalization;

namespace MLComponents.Benchmarks;

/// <summary>
/// A PyTorch peer script run with 1 and with 2 threads, keeping per metric the better of the two
/// (higher throughput, lower latency for keys ending in _ms), so we meet torch's best configuration.
/// </summary>
internal sealed class TorchPeer
{
    private TorchPeer(IReadOnlyDictionary<string, double> best, string description)
    {
        Best = best;
        Description = description;
    }

    /// <summary>Best figure per key.</summary>
    public IReadOnlyDictionary<string, double> Best { get; }

    /// <summary>The torch version and each metric's 1- and 2-thread figures.</summary>
    public string Description { get; }

    /// <summary>The best figure for <paramref name="key"/>, or null when the peer did not report it.</summary>
    public double? this[string key] => Best.TryGetValue(key, out double v) ? v : null;

    /// <summary>Runs the script as "script threads [arguments]"; null (reason logged) when it cannot run.</summary>
    public static TorchPeer? Run(string script, IReadOnlyList<string> arguments, TextWriter log)
    {
        var runs = new List<(int Threads, PythonRunner.Result Result)>();
        foreach (int threads in new[] { 1, 2 })
        {
            log.WriteLine($"  running {PythonRunner.Python} {Path.GetFileName(script)} {threads}{(arguments.Count > 0 ? " <" + arguments.Count + " shapes>" : "")}");
            var result = PythonRunner.Run(script, [threads.ToString(CultureInfo.InvariantCulture), .. arguments]);
            if (!result.Ok)
            {
                log.WriteLine($"  PyTorch peer unavailable ({result.Error}); printing our figures only.");
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
            best[key] = key.EndsWith("_ms", StringComparison.Ordinal) ? values.Min() : values.Max();
            perKey.Add($"{key} " + string.Join(" / ", candidates.Select(r => $"t{r.Threads}={r.Result.Values[key].ToString("G4", CultureInfo.InvariantCulture)}")));
        }

        string header = runs[0].Result.Header;
        string version = header.Length > 0 ? header.Split(" threads=")[0] : "torch";
        return new TorchPeer(best, version + ": " + string.Join("; ", perKey));
    }
}
