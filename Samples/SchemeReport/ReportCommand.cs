using System.CommandLine;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Tsv;

namespace MLComponents.Samples.SchemeReport;

/// <summary>What the command line asks for.</summary>
/// <param name="TrainFile">Training TSV, or null for the embedded data.</param>
/// <param name="TestFiles">Test TSVs (evaluated together, bucketed by token count).</param>
/// <param name="LabelColumn">Header name of the label column.</param>
/// <param name="TextColumn">Header name of the text column.</param>
/// <param name="Quoting">How the files' quotes are read.</param>
/// <param name="Schemes">Position schemes to compare, in report order.</param>
/// <param name="Epochs">Epochs per scheme.</param>
/// <param name="MaxTokens">Longest token sequence kept (longer text is truncated).</param>
/// <param name="ModelDimension">Model dimension (0: the trainer's default).</param>
/// <param name="Layers">Encoder blocks (0: the trainer's default).</param>
/// <param name="Seed">Seed of the MLContext.</param>
/// <param name="Output">Where the HTML report is written.</param>
public sealed record ReportSettings(string? TrainFile, IReadOnlyList<string> TestFiles, string LabelColumn, string TextColumn, TsvQuoting Quoting,
    IReadOnlyList<string> Schemes, int Epochs, int MaxTokens, int ModelDimension, int Layers, int Seed, string Output);

/// <summary>The report's command line (System.CommandLine, through the samples' shared plumbing).</summary>
public sealed class ReportCommand
{
    private static readonly MLComponents.Trainers.TransformerClassifierOptions Defaults = new();

    private readonly Option<string?> _train = new("--train") { Description = "Training TSV with a header row (label and text columns found by name)", HelpName = "file.tsv" };
    private readonly Option<string[]> _test = new("--test") { Description = "Test TSV (repeat for more; evaluated together, bucketed by token count)", HelpName = "file.tsv" };
    private readonly Option<string> _label = new("--label-column") { Description = "Header name of the label column", DefaultValueFactory = _ => "Label" };
    private readonly Option<string> _text = new("--text-column") { Description = "Header name of the text column", DefaultValueFactory = _ => "Text" };
    private readonly Option<string> _quoting = SampleCommandLine.Quoting();
    private readonly Option<string> _schemes = new("--schemes")
    {
        Description = $"Comma-separated schemes to compare (default: all ten: {string.Join(",", PositionEncoding.Kinds)})",
        HelpName = "rope,fire,...",
        DefaultValueFactory = _ => string.Join(",", PositionEncoding.Kinds),
    };
    private readonly Option<int> _epochs = SampleCommandLine.Integer("--epochs", "Passes over the training data per scheme (all of them, for whole curves; the best validated epoch's weights are kept)", Defaults.Epochs);
    private readonly Option<int> _maxTokens = SampleCommandLine.Integer("--max-tokens", "Longest token sequence kept (longer text is truncated)", 128);
    private readonly Option<int> _dimension = SampleCommandLine.Integer("--dimension", $"Model dimension (0: the trainer's default, {Defaults.ModelDimension})", 0, 0);
    private readonly Option<int> _layers = SampleCommandLine.Integer("--layers", $"Encoder blocks (0: the trainer's default, {Defaults.Layers})", 0, 0);
    private readonly Option<int> _seed = SampleCommandLine.Integer("--seed", "Seed of the MLContext (weights, shuffling, dropout, the validation split)", 1, int.MinValue);
    private readonly Option<string> _out = new("--out") { Description = "Where to write the HTML report", HelpName = "report.html", DefaultValueFactory = _ => "scheme-report.html" };

    /// <summary>Builds the command.</summary>
    public ReportCommand()
    {
        Command = SampleCommandLine.Create("SchemeReport",
            "Trains the Transformer classifier once per position scheme (MapValueToKey -> TokenizeToIds -> Transformer), evaluates each on " +
            "the test data by length, and writes one self-contained HTML report: metrics, accuracy against length, training curves and " +
            "what each scheme learned. With no options it runs on embedded marker-order data with test sentences up to 4x the training length.");
        foreach (var option in new Option[] { _train, _test, _label, _text, _quoting, _schemes, _epochs, _maxTokens, _dimension, _layers, _seed, _out })
            Command.Options.Add(option);
    }

    /// <summary>The System.CommandLine command.</summary>
    public Command Command { get; }

    /// <summary>Rules between options: a message for the first one broken, or null.</summary>
    public string? Check(ParseResult result)
    {
        if (SampleCommandLine.CheckTrainAndTest(result, _train, _test) is { } problem) return problem;
        if (result.GetValue(_label) == result.GetValue(_text)) return $"'--label-column' and '--text-column' are both '{result.GetValue(_label)}'";
        var schemes = Schemes(result);
        if (schemes.Count == 0) return "'--schemes' names no scheme";
        if (schemes.FirstOrDefault(s => !PositionEncoding.Kinds.Contains(s)) is { } bad)
            return $"option '--schemes': '{bad}' is not one of {string.Join("|", PositionEncoding.Kinds)}";
        int d = result.GetValue(_dimension);
        if (d > 0 && d % 4 != 0) return $"option '--dimension' must be a multiple of the 4 heads, got {d}";
        return null;
    }

    /// <summary>The settings of a parse without errors.</summary>
    public ReportSettings Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ReportSettings(result.GetValue(_train), result.GetValue(_test) ?? [], result.GetValue(_label)!, result.GetValue(_text)!,
            SampleCommandLine.ParseQuoting(result.GetValue(_quoting)!), Schemes(result), result.GetValue(_epochs), result.GetValue(_maxTokens),
            result.GetValue(_dimension), result.GetValue(_layers), result.GetValue(_seed), result.GetValue(_out)!);
    }

    private List<string> Schemes(ParseResult result) =>
        [.. (result.GetValue(_schemes) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.ToLowerInvariant()).Distinct()];
}
