using System.CommandLine;
using MLComponents.Engine;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Tsv;

namespace MLComponents.Samples.SentenceSimilarity;

/// <summary>What the command line asks for.</summary>
/// <param name="TrainFile">Training TSV, or null for the embedded pairs.</param>
/// <param name="TestFiles">Test TSVs (at least one with a training file).</param>
/// <param name="Quoting">How the files' quotes are read.</param>
/// <param name="Encoding">Position-encoding scheme name.</param>
/// <param name="Epochs">Epochs.</param>
/// <param name="Loss">The training objective.</param>
/// <param name="MaxTokens">Longest token sequence kept.</param>
/// <param name="Seed">Seed of the MLContext.</param>
public sealed record SimilaritySettings(string? TrainFile, IReadOnlyList<string> TestFiles, TsvQuoting Quoting, string Encoding, int Epochs,
    SimilarityLoss Loss, int MaxTokens, int Seed, TransformerBackend Backend = TransformerBackend.Managed, string Device = "cpu")
{
    /// <summary>The position scheme.</summary>
    public PositionEncoding CreateEncoding() => SampleCommandLine.CreateEncoding(Encoding, MaxTokens);
}

/// <summary>The sample's command line (System.CommandLine): no options for the embedded pairs, or TSV files.</summary>
public sealed class SimilarityCommand
{
    private readonly Option<string?> _train = new("--train") { Description = "Training TSV with the header Sentence1, Sentence2, Label (a number)", HelpName = "file.tsv" };
    private readonly Option<string[]> _test = new("--test") { Description = "Test TSV (repeat for more); one metrics line each", HelpName = "file.tsv" };
    private readonly Option<string> _quoting = SampleCommandLine.Quoting();
    private readonly Option<string> _encoding = SampleCommandLine.Encoding();
    private readonly Option<int> _epochs = SampleCommandLine.Integer("--epochs", "Passes over the training pairs", 12);
    private readonly Option<string> _loss = SampleCommandLine.OneOf("--loss",
        "Training objective: mse (scores on the label scale) or cosent (ranking only; use Spearman)", ["mse", "cosent"], "mse");
    private readonly Option<int> _maxTokens = SampleCommandLine.Integer("--max-tokens", "Longest token sequence kept (longer text is truncated)", 64);
    private readonly Option<int> _seed = SampleCommandLine.Integer("--seed", "Seed of the MLContext (weights, shuffling, dropout)", 1, int.MinValue);
    private readonly Option<string> _backend = SampleCommandLine.Backend();
    private readonly Option<string> _device = SampleCommandLine.Device();

    /// <summary>Builds the command.</summary>
    public SimilarityCommand()
    {
        Command = SampleCommandLine.Create("SentenceSimilarity",
            "Trains a siamese Transformer sentence-similarity model (ml.Regression.Trainers.SentenceSimilarity) and prints Pearson, " +
            "Spearman and RMSE per test file. With no options it runs on embedded agent/patient pairs and embeds a few sentences.");
        foreach (var option in new Option[] { _train, _test, _quoting, _encoding, _epochs, _loss, _maxTokens, _seed, _backend, _device })
            Command.Options.Add(option);
    }

    /// <summary>The System.CommandLine command.</summary>
    public Command Command { get; }

    /// <summary>Rules between options: a message for the first one broken, or null.</summary>
    public string? Check(ParseResult result)
    {
        return SampleCommandLine.CheckTrainAndTest(result, _train, _test) ?? SampleCommandLine.ReadBackend(result, _backend, _device).Problem;
    }

    /// <summary>The settings of a parse without errors.</summary>
    public SimilaritySettings Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new SimilaritySettings(result.GetValue(_train), result.GetValue(_test) ?? [], SampleCommandLine.ParseQuoting(result.GetValue(_quoting)!),
            result.GetValue(_encoding)!, result.GetValue(_epochs), result.GetValue(_loss) == "cosent" ? SimilarityLoss.CoSent : SimilarityLoss.MeanSquaredError,
            result.GetValue(_maxTokens), result.GetValue(_seed), SampleCommandLine.ReadBackend(result, _backend, _device).Backend,
            SampleCommandLine.ReadBackend(result, _backend, _device).Device);
    }
}
