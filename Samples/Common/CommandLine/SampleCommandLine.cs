using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using MLComponents.Engine;
using MLComponents.Samples.Tsv;

namespace MLComponents.Samples.CommandLine;

/// <summary>
/// The samples' command-line plumbing on System.CommandLine: the options they share and one way to run a command, so
/// every sample answers <c>--help</c> the same way and fails the same way: one <c>error:</c> line on standard error, exit
/// code 2 for bad arguments and 1 for anything else (a missing file, a bad row, a failed training).
/// </summary>
public static class SampleCommandLine
{
    /// <summary>Exit code after Ctrl+C stopped the run (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>A command named like the sample's executable, with <c>--help</c>.</summary>
    public static Command Create(string name, string description) => new(name, description) { new HelpOption() };

    /// <summary>
    /// Parses <paramref name="args"/>; prints the help when asked (exit 0); returns 2 with a one-line error when an option is
    /// bad or <paramref name="check"/> (rules between options) returns a message; otherwise runs <paramref name="run"/> and
    /// returns its exit code, or 1 with a one-line error if it throws (<see cref="Cancelled"/> when it was cancelled).
    /// </summary>
    public static int Invoke(Command command, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr,
        Func<ParseResult, string?> check, Func<ParseResult, int> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(run);
        var result = command.Parse(args);
        // Rules between options are checked here, after parsing: System.CommandLine's command validators see neither
        // defaults nor (safely) values that failed to parse.
        string? error = result.Errors.Count > 0 ? result.Errors[0].Message : result.Action is null ? check(result) : null;
        if (error is not null)
        {
            stderr.WriteLine($"error: {OneLine(error)} (--help shows the usage)");
            return 2;
        }
        // Only --help carries an action: the sample's own work runs below, where its failures are ours to report.
        if (result.Action is not null)
            return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        try
        {
            return run(result);
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("error: cancelled (Ctrl+C)");
            return Cancelled;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"error: {OneLine(Describe(e))}");
            return 1;
        }
    }

    /// <summary>The rule both file-mode samples share: '--train' and '--test' come together. A message, or null.</summary>
    public static string? CheckTrainAndTest(ParseResult result, Option<string?> train, Option<string[]> test)
    {
        ArgumentNullException.ThrowIfNull(result);
        bool hasTrain = result.GetValue(train) is not null;
        int tests = result.GetValue(test)?.Length ?? 0;
        if (!hasTrain && tests > 0) return "'--test' needs '--train'";
        if (hasTrain && tests == 0) return "'--train' needs at least one '--test' file";
        return null;
    }

    /// <summary><c>--encoding</c>: a position-encoding scheme by name (case-insensitive), RoPE by default.</summary>
    public static Option<string> Encoding() =>
        OneOf("--encoding", $"Position-encoding scheme: {string.Join("|", PositionEncoding.Names)}", PositionEncoding.Names, "rope", helpName: "scheme");

    /// <summary><c>--quoting</c>: how the TSV files' quotes are read.</summary>
    public static Option<string> Quoting() =>
        OneOf("--quoting", "How quotes in the TSV files are read: auto decides per file (CSV-style quoted fields when every field " +
            "that starts with a quote is well formed, else quotes as plain text); on = CSV-style quoted fields (\"\" for a quote, tabs " +
            "and line breaks inside); off = quotes are plain text", ["auto", "on", "off"], "auto");

    /// <summary><c>--backend</c>: the training engine, managed (pure C#, the default) or torchsharp (libtorch).</summary>
    public static Option<string> Backend() =>
        OneOf("--backend", "Training engine: managed (pure C#) or torchsharp (libtorch); the model is the same either way", ["managed", "torchsharp"], "managed");

    /// <summary><c>--device</c>: where the TorchSharp backend trains: cpu, cuda or cuda:N.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "Training device of the TorchSharp backend (cpu, cuda, cuda:N); the managed backend trains on the cpu",
        HelpName = "device",
        DefaultValueFactory = _ => "cpu",
        CustomParser = r =>
        {
            string value = r.Tokens.Count == 0 ? "cpu" : r.Tokens[0].Value.ToLowerInvariant();
            bool valid = value is "cpu" or "cuda" || (value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value[5..], out int n) && n >= 0);
            if (!valid) r.AddError($"option '--device': '{value}' is not cpu, cuda or cuda:N");
            return value;
        },
    };

    /// <summary>The backend and device of a parse, or a message when they do not go together.</summary>
    public static (TransformerBackend Backend, string Device, string? Problem) ReadBackend(ParseResult result, Option<string> backend, Option<string> device)
    {
        ArgumentNullException.ThrowIfNull(result);
        var engine = result.GetValue(backend) == "torchsharp" ? TransformerBackend.TorchSharp : TransformerBackend.Managed;
        string where = result.GetValue(device) ?? "cpu";
        string? problem = engine == TransformerBackend.Managed && where != "cpu"
            ? $"option '--device': '{where}' needs '--backend torchsharp'; the managed backend trains on the cpu"
            : null;
        return (engine, where, problem);
    }

    /// <summary>An integer option at least <paramref name="min"/>.</summary>
    public static Option<int> Integer(string name, string description, int defaultValue, int min = 1) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseInteger(r, name, min) ?? defaultValue,
    };

    /// <summary>An integer option with no default (null when absent), at least <paramref name="min"/> when given.</summary>
    public static Option<int?> OptionalInteger(string name, string description, int min = 1) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = r => ParseInteger(r, name, min),
    };

    /// <summary>
    /// A string option whose value must be one of <paramref name="values"/> (case-insensitive, read lower-cased);
    /// <paramref name="refuse"/> may still refuse a listed value with a message; the help shows <paramref name="helpName"/>
    /// (default: the values) as the option's value.
    /// </summary>
    public static Option<string> OneOf(string name, string description, IReadOnlyList<string> values, string defaultValue,
        Func<string, string?>? refuse = null, string? helpName = null)
    {
        string all = string.Join("|", values);
        return new Option<string>(name)
        {
            Description = description,
            HelpName = helpName ?? all,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                if (r.Tokens.Count == 0) return defaultValue;
                string value = r.Tokens[0].Value.ToLowerInvariant();
                if (!values.Contains(value)) r.AddError($"option '{name}' must be one of {all}, got '{r.Tokens[0].Value}'");
                else if (refuse?.Invoke(value) is string why) r.AddError(why);
                return value;
            },
        };
    }

    private static int? ParseInteger(ArgumentResult r, string name, int min)
    {
        if (r.Tokens.Count == 0) return null;
        string text = r.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min) return value;
        r.AddError(min == int.MinValue
            ? $"option '{name}' needs an integer, got '{text}'"
            : $"option '{name}' needs an integer >= {min.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
        return null;
    }

    /// <summary>The scheme named by <c>--encoding</c>; the learned table is sized to <paramref name="maxTokens"/>.</summary>
    public static PositionEncoding CreateEncoding(string kind, int maxTokens) =>
        kind == "learned" ? PositionEncoding.Learned(maxPositions: maxTokens) : PositionEncoding.FromName(kind);

    /// <summary>The <see cref="TsvQuoting"/> named by <c>--quoting</c>.</summary>
    public static TsvQuoting ParseQuoting(string value) => value switch
    {
        "on" => TsvQuoting.On,
        "off" => TsvQuoting.Off,
        _ => TsvQuoting.Auto,
    };

    /// <summary>Text on one line.</summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    // ML.NET wraps some failures (a bad file in a lazily read view, say) in exceptions whose own message says little.
    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && (inner is InvalidOperationException or AggregateException or System.Reflection.TargetInvocationException))
            inner = inner.InnerException;
        return inner.Message;
    }
}
