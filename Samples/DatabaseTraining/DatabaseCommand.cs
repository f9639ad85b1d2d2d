using System.CommandLine;
using System.Globalization;
using MLComponents.Engine;
using MLComponents.Samples.CommandLine;

namespace MLComponents.Samples.DatabaseTraining;

/// <summary>What the command line asks for.</summary>
/// <param name="Database">The user's SQLite file, or null to create the sample database.</param>
/// <param name="Create">Where to create the sample database, or null for a temporary file deleted at the end.</param>
/// <param name="Table">Table to read (when no query is given).</param>
/// <param name="Query">SQL query to read, or null to read <paramref name="Table"/>.</param>
/// <param name="LabelColumn">Label column of the table or query.</param>
/// <param name="TextColumn">Text column of the table or query.</param>
/// <param name="TestFraction">Share of rows held out for the test metrics.</param>
/// <param name="Encoding">Position-encoding scheme name.</param>
/// <param name="Epochs">Epochs.</param>
/// <param name="MaxTokens">Longest token sequence kept.</param>
/// <param name="Seed">Seed of the MLContext (and the split).</param>
/// <param name="ModelOut">Where the model is saved, or null for a file in the temp directory.</param>
public sealed record DatabaseSettings(string? Database, string? Create, string Table, string? Query, string LabelColumn, string TextColumn,
    double TestFraction, string Encoding, int Epochs, int MaxTokens, int Seed, string? ModelOut, TransformerBackend Backend = TransformerBackend.Managed,
    string Device = "cpu")
{
    /// <summary>The position scheme.</summary>
    public PositionEncoding CreateEncoding() => SampleCommandLine.CreateEncoding(Encoding, MaxTokens);
}

/// <summary>The sample's command line (System.CommandLine).</summary>
public sealed class DatabaseCommand
{
    private readonly Option<string?> _database = new("--database") { Description = "Your SQLite database file (opened read-only); without it the sample creates its own", HelpName = "file.db" };
    private readonly Option<string?> _create = new("--create") { Description = "Where to create the sample database (default: a temporary file, deleted at the end)", HelpName = "file.db" };
    private readonly Option<string?> _table = new("--table") { Description = $"Table to read [default: {SampleDatabase.Table}]", HelpName = "name" };
    private readonly Option<string?> _query = new("--query") { Description = "SQL query to read instead of a table (its result must have the label and text columns)", HelpName = "sql" };
    private readonly Option<string> _label = new("--label-column") { Description = "Label column of the table or query", DefaultValueFactory = _ => "Label" };
    private readonly Option<string> _text = new("--text-column") { Description = "Text column of the table or query", DefaultValueFactory = _ => "Text" };
    private readonly Option<double> _testFraction = new("--test-fraction")
    {
        Description = "Share of the rows held out for the test metrics (ML.NET's TrainTestSplit)",
        HelpName = "0..1",
        DefaultValueFactory = _ => 0.25,
        CustomParser = r =>
        {
            string text = r.Tokens.Count == 0 ? "" : r.Tokens[0].Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && v < 1) return v;
            r.AddError($"option '--test-fraction' needs a number between 0 and 1 (exclusive), got '{text}'");
            return 0.25;
        },
    };
    private readonly Option<string> _encoding = SampleCommandLine.Encoding();
    private readonly Option<int> _epochs = SampleCommandLine.Integer("--epochs", "Most passes over the training data (a tenth is held out to keep the best epoch and stop early)", new MLComponents.Trainers.TransformerClassifierOptions().Epochs);
    private readonly Option<int> _maxTokens = SampleCommandLine.Integer("--max-tokens", "Longest token sequence kept (longer text is truncated)", 64);
    private readonly Option<int> _seed = SampleCommandLine.Integer("--seed", "Seed of the MLContext (weights, shuffling, dropout, the split)", 1, int.MinValue);
    private readonly Option<string?> _modelOut = new("--model-out") { Description = "Where to save the model .zip (default: the temp directory)", HelpName = "path.zip" };
    private readonly Option<string> _backend = SampleCommandLine.Backend();
    private readonly Option<string> _device = SampleCommandLine.Device();

    /// <summary>Builds the command.</summary>
    public DatabaseCommand()
    {
        Command = SampleCommandLine.Create("DatabaseTraining",
            "Trains the Transformer text classifier from a SQLite database through ML.NET's DatabaseLoader and Microsoft.Data.Sqlite, " +
            "holds out a test share and prints its metrics. With no options it creates a small database of embedded 'who did it?' sentences.");
        foreach (var option in new Option[] { _database, _create, _table, _query, _label, _text, _testFraction, _encoding, _epochs, _maxTokens, _seed, _modelOut, _backend, _device })
            Command.Options.Add(option);
    }

    /// <summary>The System.CommandLine command.</summary>
    public Command Command { get; }

    /// <summary>Rules between options: a message for the first one broken, or null.</summary>
    public string? Check(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetValue(_database) is not null && result.GetValue(_create) is not null)
            return "'--create' makes the sample database; it does not go with '--database'";
        if (result.GetValue(_table) is not null && result.GetValue(_query) is not null) return "give '--table' or '--query', not both";
        if (result.GetValue(_label) == result.GetValue(_text)) return $"'--label-column' and '--text-column' are both '{result.GetValue(_label)}'";
        return SampleCommandLine.ReadBackend(result, _backend, _device).Problem;
    }

    /// <summary>The settings of a parse without errors.</summary>
    public DatabaseSettings Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new DatabaseSettings(result.GetValue(_database), result.GetValue(_create), result.GetValue(_table) ?? SampleDatabase.Table,
            result.GetValue(_query), result.GetValue(_label)!, result.GetValue(_text)!, result.GetValue(_testFraction), result.GetValue(_encoding)!,
            result.GetValue(_epochs), result.GetValue(_maxTokens), result.GetValue(_seed), result.GetValue(_modelOut),
            SampleCommandLine.ReadBackend(result, _backend, _device).Backend, SampleCommandLine.ReadBackend(result, _backend, _device).Device);
    }
}
