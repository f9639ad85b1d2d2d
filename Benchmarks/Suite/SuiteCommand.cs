using System.Diagnostics;
using System.Globalization;

namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// <c>dotnet run -c Release --project Benchmarks -- suite [options]</c>: writes the task data, trains each chosen scheme on each
/// chosen task with the trainers' default options (unless <c>--set</c>), appends every result to a TSV and prints the table.
/// See Benchmarks/Suite/README.md.
/// </summary>
public static class SuiteCommand
{
    private const string Usage =
        "usage: dotnet run -c Release --project Benchmarks -- suite [--schemes rope,fire,...] [--tasks first-noun,...] [--epochs N] [--quick]\n" +
        "         [--lengths 4x,5x,8x,16x] [--set Option=Value ...] [--threads N] [--seed N] [--data DIR] [--results FILE] [--peer] [--write-data] [--table FILE] [--confusion]\n" +
        "         [--train-rows N]   (generated tasks: N training rows instead of the task's own count)\n" +
        "         [--fillers N]      (word-order tasks with filler words: draw them from the first N only, a diagnostic)";

    /// <summary>Runs the command; returns the exit code (2 for bad arguments).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var overrides = new OptionOverrides();
        string[]? schemes = null, tasks = null, lengths = null;
        int? epochs = null, threads = null, trainRows = null, fillers = null;
        int seed = 1;
        bool quick = false, peer = false, writeOnly = false, confusion = false;
        string? data = null, results = null;
        try
        {
            for (int i = 0; i < args.Count; i++)
            {
                string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "suite": break;
                    case "--schemes": schemes = List(Value()); break;
                    case "--tasks": tasks = List(Value()); break;
                    case "--lengths": lengths = List(Value()); break;
                    case "--epochs": epochs = Positive(Value(), "--epochs"); break;
                    case "--seed": seed = Positive(Value(), "--seed"); break;
                    case "--threads": threads = Positive(Value(), "--threads"); break;
                    case "--train-rows": trainRows = Positive(Value(), "--train-rows"); break;
                    case "--fillers": fillers = Positive(Value(), "--fillers"); break;
                    case "--set": overrides.Add(Value()); break;
                    case "--data": data = Path.GetFullPath(Value()); break;
                    case "--results": results = Path.GetFullPath(Value()); break;
                    case "--quick": quick = true; break;
                    case "--peer": peer = true; break;
                    case "--confusion": confusion = true; break;
                    case "--write-data": writeOnly = true; break;
                    case "--table":
                        SuiteResults.Print(SuiteResults.Read(Value()), output);
                        return 0;
                    case "--help" or "-h":
                        output.WriteLine(Usage);
                        return 0;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }
            schemes ??= quick ? ["none", "rope", "fire"] : [.. PositionEncoding.Names];
            foreach (string s in schemes)
                if (!SuiteSchemes.Names.Contains(s)) throw new ArgumentException($"unknown scheme '{s}' (expected {string.Join(",", SuiteSchemes.Names)})");
            foreach (string t in tasks ?? [])
                if (SuiteTask.All.All(x => x.Name != t)) throw new ArgumentException($"unknown task '{t}' (expected {string.Join(",", SuiteTask.All.Select(x => x.Name))})");
            lengths ??= quick ? ["4x"] : [.. LengthBucket.Longer.Select(b => b.Name)];
            foreach (string l in lengths)
                if (LengthBucket.Longer.All(b => b.Name != l)) throw new ArgumentException($"unknown length '{l}' (expected 4x,5x,8x,16x)");
            overrides.Validate();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
            return 2;
        }

        data ??= Path.Combine(Path.GetTempPath(), quick ? "mlcomponents-suite-quick" : "mlcomponents-suite");
        results ??= Path.Combine(data, "results.tsv");
        // Each run rewrites the task files in the data folder and reads them back after training: a second run on the same
        // folder would swap its files under the first one's evaluation, so the folder is held for the whole run.
        using var hold = SuiteData.Hold(data);
        if (hold is null)
        {
            Console.Error.WriteLine($"error: the data folder '{data}' is in use by another suite run; give this one its own --data");
            return 2;
        }
        var longer = LengthBucket.Longer.Where(b => lengths.Contains(b.Name)).ToList();
        var chosen = SuiteTask.All.Where(t => tasks is null || tasks.Contains(t.Name)).ToList();
        output.WriteLine($"Suite: {chosen.Count} tasks x {schemes.Length} schemes, {(quick ? "quick sizes" : "full sizes")}{(trainRows is int tr ? $", {tr} training rows per generated task" : "")}{(fillers is int fw ? $", {fw} filler words" : "")}, epochs {epochs?.ToString(CultureInfo.InvariantCulture) ?? "default"}, " +
            $"options {overrides}, seed {seed}; data in {data}, results appended to {results}");
        var done = new List<SuiteResult>();
        var ran = new List<string>();
        foreach (var task in chosen)
        {
            if (task.Unavailable() is string why)
            {
                output.WriteLine($"{task.Name}: skipped, {why}");
                continue;
            }
            var size = quick ? task.Size.Quick() : task.Size;
            if (trainRows is int rowsWanted)
            {
                if (size.Train == 0)
                {
                    output.WriteLine($"{task.Name}: skipped, --train-rows applies to generated tasks only (this corpus has a fixed split)");
                    continue;
                }
                size = size with { Train = rowsWanted };
            }
            if (fillers is int fillersWanted)
            {
                if (fillersWanted > task.FillerWords)
                {
                    output.WriteLine(task.FillerWords == 0
                        ? $"{task.Name}: skipped, --fillers applies to tasks whose words around the deciding ones are drawn from a filler list"
                        : $"{task.Name}: skipped, --fillers {fillersWanted} is more than its {task.FillerWords} filler words");
                    continue;
                }
                size = size with { Fillers = fillersWanted };
            }
            string dir = SuiteData.Write(data, task, task.Make(size, task.TestsLength ? longer : [], seed + 100));
            ran.Add(task.Name);
            output.WriteLine($"{task.Name}: {task.Description}");
            if (writeOnly) continue;
            foreach (string scheme in schemes)
            {
                var r = SuiteRunner.Run(task, dir, scheme, epochs, threads, overrides, seed, output, confusion);
                if (trainRows is int n) r = r with { Settings = $"{r.Settings}; train rows {n}" };
                if (fillers is int f) r = r with { Settings = $"{r.Settings}; fillers {f}" };
                SuiteResults.Append(results, r);
                done.Add(r);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {scheme,-10} {r.Metric} {string.Join(" ", r.ByLength.Select(kv => $"{kv.Key}={kv.Value:0.000}"))}" +
                    $"{(r.LogLoss is double ll ? $" log_loss={ll:0.000}" : "")} epochs={r.Epochs} ({r.Seconds:0} s)"));
            }
        }
        if (done.Count > 0)
        {
            output.WriteLine();
            SuiteResults.Print(done, output);
        }
        if (peer && ran.Count > 0) return RunPeer(data, results, ran, schemes, epochs, threads, seed, output);
        return 0;
    }

    /// <summary>Runs Benchmarks/Suite/peer.py on the same files (the schemes it implements), appending to the same results.</summary>
    private static int RunPeer(string data, string results, IReadOnlyList<string> tasks, IReadOnlyList<string> schemes, int? epochs, int? threads, int seed,
        TextWriter output)
    {
        string script = Path.Combine(RepositoryRoot(), "Benchmarks", "Suite", "peer.py");
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var info = new ProcessStartInfo(python) { UseShellExecute = false };
        foreach (string a in (string[])[script, "--data", data, "--results", results, "--tasks", string.Join(',', tasks), "--schemes", string.Join(',', schemes),
            "--seed", seed.ToString(CultureInfo.InvariantCulture), "--threads", (threads ?? 1).ToString(CultureInfo.InvariantCulture)])
            info.ArgumentList.Add(a);
        if (epochs is int e)
        {
            info.ArgumentList.Add("--epochs");
            info.ArgumentList.Add(e.ToString(CultureInfo.InvariantCulture));
        }
        output.WriteLine($"\nPyTorch peer: {python} {string.Join(' ', info.ArgumentList)}");
        output.Flush();
        try
        {
            using var process = Process.Start(info)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            output.WriteLine($"PyTorch peer not run: cannot start {python}: {ex.Message}");
            return 1;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MLComponents.sln"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{name} needs a positive integer, got '{value}'");
}
