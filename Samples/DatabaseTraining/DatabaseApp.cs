using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Progress;
using MLComponents.Trainers;
using Spectre.Console;

namespace MLComponents.Samples.DatabaseTraining;

/// <summary>A row as ML.NET's DatabaseLoader reads it: the query's columns by name.</summary>
public sealed class LabelledText
{
    /// <summary>The class (text; NULL reads as empty, which MapValueToKey treats as missing).</summary>
    public string Label { get; set; } = "";

    /// <summary>The text (NULL reads as empty).</summary>
    public string Text { get; set; } = "";
}

/// <summary>One prediction.</summary>
public sealed class LabelPrediction
{
    /// <summary>The predicted class (after MapKeyToValue).</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Class probabilities, in key order.</summary>
    public float[] Score { get; set; } = [];
}

/// <summary>
/// Trains the Transformer text classifier from a SQLite database: ML.NET's <c>DatabaseLoader</c> runs the query through
/// Microsoft.Data.Sqlite, <c>TrainTestSplit</c> holds out the test rows, and the pipeline is the TextClassification sample's.
/// </summary>
public static class DatabaseApp
{
    private const int SampleRows = 2000;

    private static readonly string[] Examples = ["the cat chased the dog", "the dog was chased by the cat", "the fox angrily bit the owl twice"];

    /// <summary>Runs the sample; returns the process exit code (0 ok, 1 failure, 2 bad arguments).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Progress lines, metrics, predictions.</param>
    /// <param name="stderr">Notes and the one-line error.</param>
    /// <param name="terminal">An interactive terminal for a live progress bar, or null for plain per-epoch lines.</param>
    /// <param name="cancellationToken">Stops training between steps (exit code 130).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IAnsiConsole? terminal = null, CancellationToken cancellationToken = default)
    {
        var command = new DatabaseCommand();
        return SampleCommandLine.Invoke(command.Command, args, stdout, stderr, command.Check, parsed =>
        {
            var s = command.Read(parsed);
            bool temporary = s.Database is null && s.Create is null;
            string? temporaryDirectory = temporary ? Directory.CreateTempSubdirectory("mlcomponents-db-").FullName : null;
            string path = s.Database ?? s.Create ?? Path.Combine(temporaryDirectory!, "whodidit.db");
            try
            {
                if (s.Database is null)
                {
                    SampleDatabase.Create(path, SampleRows, seed: 11);
                    stdout.WriteLine($"Created the sample database {path} (table {SampleDatabase.Table}: {SampleRows} 'who did it?' sentences; the label is the animal that acts).");
                }
                else if (!File.Exists(path))
                {
                    throw new FileNotFoundException($"database '{path}' not found", path);
                }
                Train(s, path, stdout, stderr, TrainingDisplay.For(terminal, stdout), cancellationToken);
            }
            finally
            {
                if (temporaryDirectory is not null)
                {
                    SqliteConnection.ClearAllPools();
                    Directory.Delete(temporaryDirectory, recursive: true);
                }
            }
            return 0;
        });
    }

    private static void Train(DatabaseSettings s, string path, TextWriter stdout, TextWriter stderr, TrainingDisplay display, CancellationToken cancellationToken)
    {
        string connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        string from = s.Query is null ? Identifier(s.Table) : $"({s.Query.Trim().TrimEnd(';')})";
        // Aliased to the loader class's property names; CAST so that an INTEGER label (0/1, say) reads as text. NULL text becomes
        // empty text (TokenizeToIds refuses a missing one); a NULL label stays missing, which MapValueToKey maps to key 0.
        string sql = $"SELECT CAST({Identifier(s.LabelColumn)} AS TEXT) AS Label, COALESCE(CAST({Identifier(s.TextColumn)} AS TEXT), '') AS Text, " +
            $"{Identifier(s.TextColumn)} IS NULL AS TextWasNull FROM {from}";
        var counts = Count(connection, path, sql);
        if (counts.Rows == 0) throw new InvalidDataException($"database '{path}': the {(s.Query is null ? $"table '{s.Table}'" : "query")} has no rows");
        string name = $"{Path.GetFileName(path)}:{(s.Query is null ? s.Table : "query")}";
        stdout.WriteLine($"Reading {counts.Rows} rows from {name} through ML.NET's DatabaseLoader (Microsoft.Data.Sqlite, SQLite {counts.Version}).");
        if (counts.NoLabel > 0)
            stderr.WriteLine($"note: {name}: {Plural.Count(counts.NoLabel, "row")} with no label (NULL or empty), left out of training and the metrics");
        if (counts.NoText > 0)
            stderr.WriteLine($"note: {name}: {Plural.Count(counts.NoText, "row")} with NULL text, read as empty text");

        var ml = new MLContext(seed: s.Seed);
        var loader = ml.Data.CreateDatabaseLoader<LabelledText>();
        var data = ml.Data.Cache(loader.Load(new DatabaseSource(SqliteFactory.Instance, connection, sql)));
        long loaded = CountRows(data);
        if (loaded != counts.Rows)
            throw new InvalidDataException($"database '{path}': ML.NET's DatabaseLoader read {loaded} rows where the query has {counts.Rows}");
        var split = ml.Data.TrainTestSplit(data, testFraction: s.TestFraction, seed: s.Seed);
        long testRows = CountRows(split.TestSet);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training on {loaded - testRows} rows, testing on {testRows} (ML.NET's TrainTestSplit, test fraction {s.TestFraction:0.##})."));
        if (testRows == 0 || testRows == loaded)
            throw new InvalidDataException($"database '{path}': {loaded} rows are too few to split with test fraction {s.TestFraction.ToString(CultureInfo.InvariantCulture)}");

        var model = ClassifierPipeline.Fit(ml, split.TrainSet, s.CreateEncoding(), s.MaxTokens, s.Epochs, s.Backend, s.Device, display, cancellationToken);

        var m = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test={name} accuracy={m.MicroAccuracy:0.0000} macro_accuracy={m.MacroAccuracy:0.0000} log_loss={m.LogLoss:0.0000}"));

        string modelPath = s.ModelOut ?? Path.Combine(Path.GetTempPath(), "mlcomponents-database-training.zip");
        ml.Model.Save(model, data.Schema, modelPath);
        stdout.WriteLine($"Saved the model to {modelPath} and reloaded it.");
        if (s.Database is null)
        {
            using var engine = ml.Model.CreatePredictionEngine<LabelledText, LabelPrediction>(ml.Model.Load(modelPath, out _));
            foreach (string text in Examples)
            {
                var p = engine.Predict(new LabelledText { Text = text });
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"{text}\" -> {p.PredictedLabel} ({p.Score.Max():0.00})"));
            }
        }
    }

    /// <summary>Rows, rows without a label, rows with NULL text, and the SQLite version; a bad query fails here, naming the database.</summary>
    private static (long Rows, long NoLabel, long NoText, string Version) Count(string connectionString, string path, string sql)
    {
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*), COALESCE(SUM(Label IS NULL OR Label = ''), 0), COALESCE(SUM(TextWasNull), 0), sqlite_version() FROM ({sql})";
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3));
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"database '{path}': {e.Message}", e);
        }
    }

    private static long CountRows(IDataView data)
    {
        using var cursor = data.GetRowCursor([]);
        long n = 0;
        while (cursor.MoveNext()) n++;
        return n;
    }

    /// <summary>A SQL identifier in double quotes (a quote inside doubled), so any table or column name is read as a name.</summary>
    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
