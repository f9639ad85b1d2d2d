using System.Diagnostics;
using System.Globalization;

namespace MLComponents.Benchmarks;

/// <summary>Runs a peer's command (a Python script, or later a console app) and parses the key=value lines it prints.</summary>
internal static class PeerProcess
{
    /// <summary>The outcome of one run: parsed values, the peer's header line, or the reason it failed.</summary>
    internal sealed record Result(bool Ok, Dictionary<string, double> Values, string Header, string Error);

    /// <summary>/usr/bin/python3 when present (where torch is installed here), else python3 from PATH.</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>,
    /// waiting at most ten minutes. Lines starting with <paramref name="headerPrefix"/> are the header.
    /// </summary>
    public static Result Run(string program, IEnumerable<string> arguments, string workingDirectory, string headerPrefix)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        string output, error;
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                process.Kill(entireProcessTree: true);
                return new Result(false, [], "", "timed out after 10 minutes");
            }

            output = stdout.Result;
            error = stderr.Result;
            if (process.ExitCode != 0)
            {
                string reason = error.Contains("No module named 'torch'", StringComparison.Ordinal)
                    ? $"torch is not installed for {program}"
                    : $"exit code {process.ExitCode}: {LastLine(error)}";
                return new Result(false, [], "", reason);
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Result(false, [], "", $"cannot start {program}: {e.Message}");
        }

        var values = new Dictionary<string, double>();
        string header = "";
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith(headerPrefix, StringComparison.Ordinal))
            {
                header = line;
            }
            else if (eq > 0 && double.TryParse(line[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                values[line[..eq]] = v;
            }
        }

        return new Result(true, values, header, "");
    }

    private static string LastLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no error output)" : lines[^1];
    }
}
