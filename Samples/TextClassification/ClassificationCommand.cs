using System.CommandLine;
using MLComponents.Engine;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Tsv;

namespace MLComponents.Samples.TextClassification;

/// <summary>What the command line asks for.</summary>
/// <param name="TrainFile">Training TSV, or null for the embedded data.</param>
/// <param name="TestFiles">Test TSVs (at least one with a training file).</param>
/// <param name="LabelColumn">Header name of the label column.</param>
/// <param name="TextColumn">Header name of the text column.</param>
/// <param name="Quoting">How the files' quotes are read.</param>
/// <param name="Encoding">Position-encoding scheme name.</param>
/// <param name="Epochs">Epochs.</param>
/// <param name="MaxTokens">Longest token sequence kept.</param>
/// <param name="Seed">Seed of the MLContext.</param>
/// <param name="ModelOut">Where the model is saved, or null for a file in the temp directory.</param>
/// <param name="Backend">Training engine.</param>
/// <param name="Device">Training device (TorchSharp).</param>
public sealed record ClassificationSettings(string? TrainFile, IReadOnlyList<string> TestFiles, string LabelColumn, string TextColumn,
    TsvQuoting Quoting, string Encoding, int Epochs, int MaxTokens, int Seed, string? ModelOut, TransformerBackend Backend, string Device)
{
    /// <summary>The position scheme.</summary>
    public PositionEncoding CreateEncoding() => SampleCommandLine.CreateEncoding(Encoding, MaxTokens);
}

/// <summary>The sample's command line (System.CommandLine): no options for the embedded data, or TSV files with header rows.</summary>
public sealed class ClassificationCommand
{
    private readonly Option<string?> _train = new("--train") { Description = "Training TSV with a header row (label and text columns found by name)", HelpName = "file.tsv" };
    private readonly Option<string[]> _test = new("--test") { Description = "Test TSV (repeat for more); one metrics line each", HelpName = "file.tsv" };
    private readonly Option<string> _label = new("--label-column") { Description = "Header name of the label column", DefaultValueFactory = _ => "Label" };
    private readonly Option<string> _text = new("--text-column") { Description = "Header name of the text column", DefaultValueFactory = _ => "Text" };
    private readonly Option<string> _quoting = SampleCommandLine.Quoting();
    private readonly Option<string> _encoding = SampleCommandLine.Encoding();
    private readonly Option<int> _epochs = SampleCommandLine.Integer("--epochs", "Most passes over the training data (a tenth is held out to keep the best epoch and stop early)", new MLComponents.Trainers.TransformerClassifierOptions().Epochs);
    private readonly Option<int> _maxTokens = SampleCommandLine.Integer("--max-tokens", "Longest token sequence kept (longer text is truncated)", 64);
    private readonly Option<int> _seed = SampleCommandLine.Integer("--seed", "Seed of the MLContext (weights, shuffling, dropout)", 1, int.MinValue);
    private readonly Option<string?> _modelOut = new("--model-out") { Description = "Where to save the model .zip (default: the temp directory)", HelpName = "path.zip" };
    private readonly Option<string> _backend = SampleCommandLine.Backend();
    private readonly Option<string> _device = SampleCommandLine.Device();

    /// <summary>Builds the command.</summary>
    public ClassificationCommand()
    {
        Command = SampleCommandLine.Create("TextClassification",
            "Trains ML.NET's pipeline MapValueToKey -> TokenizeToIds -> Transformer classifier -> MapKeyToValue and prints " +
            "accuracy, macro accuracy and log-loss per test file. With no options it runs on embedded 'who did it?' sentences.");
        foreach (var option in new Option[] { _train, _test, _label, _text, _quoting, _encoding, _epochs, _maxTokens, _seed, _modelOut, _backend, _device })
            Command.Options.Add(option);
    }

    /// <summary>The System.CommandLine command.</summary>
    public Command Command { get; }

    /// <summary>Rules between options: a message for the first one broken, or null.</summary>
    public string? Check(ParseResult result)
    {
        if (SampleCommandLine.CheckTrainAndTest(result, _train, _test) is { } problem) return problem;
        if (result.GetValue(_label) == result.GetValue(_text)) return $"'--label-column' and '--text-column' are both '{result.GetValue(_label)}'";
        return SampleCommandLine.ReadBackend(result, _backend, _device).Problem;
    }

    /// <summary>The settings of a parse without errors.</summary>
    public ClassificationSettings Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ClassificationSettings(result.GetValue(_train), result.GetValue(_test) ?? [], result.GetValue(_label)!, result.GetValue(_text)!,
            SampleCommandLine.ParseQuoting(result.GetValue(_quoting)!), result.GetValue(_encoding)!, result.GetValue(_epochs),
            result.GetValue(_maxTokens), result.GetValue(_seed), result.GetValue(_modelOut), SampleCommandLine.ReadBackend(result, _backend, _device).Backend,
            SampleCommandLine.ReadBackend(result, _backend, _device).Device);
    }
}
