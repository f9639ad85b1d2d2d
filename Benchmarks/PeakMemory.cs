using System.Diagnostics;
using System.Globalization;

namespace MLComponents.Benchmarks;

/// <summary>
/// Peak resident memory of our run of the reference workload, measured in a fresh child process (this process has
/// run other benchmarks) doing what torch_ref.py does: 35 training steps, 35 batch forwards, 220 single sentences.
/// </summary>
internal static class PeakMemory
{
    /// <summary>The child's mode name.</summary>
    public const string Mode = "peak-memory";

    /// <summary>Child side: runs the workload with <paramref name="threads"/> threads and prints peak_rss_mb.</summary>
    public static int RunChild(int threads)
    {
        var config = new ModelConfig();
        var model = ModelWorkloads.Create(config, threads, out string reason);
        if (model is null)
        {
            Console.Error.WriteLine(reason);
            return 1;
        }

        ModelBenchmark.Measure(model, config);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(FormattableString.Invariant($"peak_rss_mb={self.PeakWorkingSet64 / 1048576.0:F1}"));
        return 0;
    }

    /// <summary>Parent side: the child's peak in MiB, or null when it could not run.</summary>
    public static double? Measure(int threads)
    {
        string program = Environment.ProcessPath ?? "dotnet";
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(program) == "dotnet")
        {
            arguments.Add(typeof(PeakMemory).Assembly.Location);
        }

        arguments.Add(Mode);
        arguments.Add(threads.ToString(CultureInfo.InvariantCulture));
        var result = PeerProcess.Run(program, arguments, Directory.GetCurrentDirectory(), "#");
        return result.Ok && result.Values.TryGetValue("peak_rss_mb", out double mb) ? mb : null;
    }
}
