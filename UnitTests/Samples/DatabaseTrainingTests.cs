using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using MLComponents.Samples.DatabaseTraining;

namespace MLComponents.UnitTests.SampleApps;

/// <summary>The DatabaseTraining sample on real SQLite files (Microsoft.Data.Sqlite's native SQLite, ML.NET's DatabaseLoader).</summary>
[TestClass]
public sealed partial class DatabaseTrainingTests
{
    [GeneratedRegex(@"^test=(?<name>.+) accuracy=(?<accuracy>\d\.\d{4}) macro_accuracy=(?<macro>\d\.\d{4}) log_loss=(?<loss>\d+\.\d{4})$", RegexOptions.Multiline)]
    private static partial Regex MetricsLine();

    [GeneratedRegex(@"^Created the sample database (?<path>.+) \(table sentences: 2000 'who did it\?' sentences;", RegexOptions.Multiline)]
    private static partial Regex CreatedLine();

    [TestMethod]
    public void NoArguments_CreatesItsOwnDatabase_TrainsEvaluatesAndCleansUp()
    {
        var run = Run();

        Assert.AreEqual(0, run.Code, run.ToString());
        Assert.AreEqual("", run.Error);
        string path = CreatedLine().Match(run.Output).Groups["path"].Value;
        Assert.IsFalse(File.Exists(path), "the temporary database is deleted at the end");
        StringAssert.Matches(run.Output, new Regex(@"^Reading 2000 rows from whodidit\.db:sentences through ML\.NET's DatabaseLoader \(Microsoft\.Data\.Sqlite, SQLite 3\.\d+\.\d+\)\.$", RegexOptions.Multiline));
        StringAssert.Matches(run.Output, new Regex(@"^Training on 1\d{3} rows, testing on \d{3} \(ML\.NET's TrainTestSplit, test fraction 0\.25\)\.$", RegexOptions.Multiline));
        int epochs = Regex.Matches(run.Output, @"^epoch \d+/12 step \d+/\d+ loss=", RegexOptions.Multiline).Count;
        Assert.IsTrue(epochs is >= 4 and <= 12, $"{epochs} epochs: the default budget of 12, fewer when early stopping ends it\n{run}");
        var metrics = MetricsLine().Match(run.Output);
        Assert.AreEqual("whodidit.db:sentences", metrics.Groups["name"].Value, run.ToString());
        Assert.IsGreaterThanOrEqualTo(0.95, double.Parse(metrics.Groups["accuracy"].Value, CultureInfo.InvariantCulture), run.ToString());
        StringAssert.Contains(run.Output, "\"the dog was chased by the cat\" -> cat (");
    }

    [TestMethod]
    public void Create_KeepsTheSampleDatabaseWhereAsked()
    {
        using var dir = SampleTestData.TempDirectory();
        string path = Path.Combine(dir.Path, "kept.db");

        var run = Run("--create", path, "--epochs", "1", "--model-out", Path.Combine(dir.Path, "m.zip"));

        Assert.AreEqual(0, run.Code, run.ToString());
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT Label) FROM sentences";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.AreEqual(2000L, reader.GetInt64(0));
        Assert.AreEqual(4L, reader.GetInt64(1));
    }

    [TestMethod]
    public void UserDatabase_IntegerLabelsNullsAndQuotedText_TrainFromATableOrAQuery()
    {
        using var dir = SampleTestData.TempDirectory();
        string path = Path.Combine(dir.Path, "mail.db");
        var rows = SampleTestData.SpamOrHam(300, seed: 5);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE \"spam mail\" (id INTEGER PRIMARY KEY, is_spam INTEGER, body TEXT, lang TEXT)";
            create.ExecuteNonQuery();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO \"spam mail\" (is_spam, body, lang) VALUES ($label, $text, $lang)";
            for (int i = 0; i < rows.Count; i++)
            {
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$label", i == 7 ? DBNull.Value : rows[i].Label == "spam" ? 1 : 0);
                insert.Parameters.AddWithValue("$text", i == 8 ? DBNull.Value : rows[i].Text);
                insert.Parameters.AddWithValue("$lang", i % 3 == 0 ? "de" : "en");
                insert.ExecuteNonQuery();
            }
        }

        var table = Run("--database", path, "--table", "spam mail", "--label-column", "is_spam", "--text-column", "body", "--seed", "2",
            "--model-out", Path.Combine(dir.Path, "table.zip"));

        Assert.AreEqual(0, table.Code, table.ToString());
        StringAssert.Contains(table.Output, "Reading 300 rows from mail.db:spam mail through ML.NET's DatabaseLoader");
        CollectionAssert.AreEqual(new[]
        {
            "note: mail.db:spam mail: 1 row with no label (NULL or empty), left out of training and the metrics",
            "note: mail.db:spam mail: 1 row with NULL text, read as empty text",
        }, table.ErrorLines, table.ToString());
        var metrics = MetricsLine().Match(table.Output);
        Assert.AreEqual("mail.db:spam mail", metrics.Groups["name"].Value, table.ToString());
        Assert.IsGreaterThanOrEqualTo(0.9, double.Parse(metrics.Groups["accuracy"].Value, CultureInfo.InvariantCulture), table.ToString());

        var query = Run("--database", path, "--query", "SELECT is_spam AS y, body FROM \"spam mail\" WHERE lang = 'en' AND is_spam IS NOT NULL;",
            "--label-column", "y", "--text-column", "body", "--epochs", "1", "--model-out", Path.Combine(dir.Path, "query.zip"));

        Assert.AreEqual(0, query.Code, query.ToString());
        StringAssert.Contains(query.Output, "Reading 199 rows from mail.db:query through ML.NET's DatabaseLoader", "200 English rows, one without a label");
        StringAssert.Contains(query.Output, "test=mail.db:query accuracy=");
    }

    [TestMethod]
    public void BadArgumentsExitTwo_BadDatabasesExitOne_EachWithOneErrorLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string path = Path.Combine(dir.Path, "small.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE t (Label TEXT, Text TEXT); CREATE TABLE empty (Label TEXT, Text TEXT); INSERT INTO t VALUES ('a', 'x'), ('b', 'y');";
            create.ExecuteNonQuery();
        }
        string absent = Path.Combine(dir.Path, "absent.db");
        var cases = new (string[] Args, int Code, string Error)[]
        {
            (["--table", "t", "--query", "SELECT 1"], 2, "give '--table' or '--query', not both (--help shows the usage)"),
            (["--database", path, "--create", absent], 2, "'--create' makes the sample database; it does not go with '--database' (--help shows the usage)"),
            (["--test-fraction", "1"], 2, "option '--test-fraction' needs a number between 0 and 1 (exclusive), got '1' (--help shows the usage)"),
            (["--database", absent], 1, $"database '{absent}' not found"),
            (["--database", path, "--table", "nope"], 1, $"database '{path}': SQLite Error 1: 'no such table: nope'."),
            (["--database", path, "--table", "t", "--text-column", "Body"], 1, $"database '{path}': SQLite Error 1: 'no such column: \"Body\" - should this be a string literal in single-quotes?'."),
            (["--database", path, "--table", "empty"], 1, $"database '{path}': the table 'empty' has no rows"),
        };
        foreach (var (args, code, error) in cases)
        {
            var run = Run(args);
            Assert.AreEqual(code, run.Code, run.ToString());
            CollectionAssert.AreEqual(new[] { $"error: {error}" }, run.ErrorLines, run.ToString());
        }
        Assert.IsFalse(File.Exists(absent), "a missing database is not created");
    }

    [TestMethod]
    public void Help_ListsTheDatabaseOptions()
    {
        var run = Run("--help");

        Assert.AreEqual(0, run.Code, run.ToString());
        foreach (string option in new[] { "DatabaseTraining [options]", "--database <file.db>", "--create <file.db>", "--table <name>", "--query <sql>",
                     "--label-column", "--text-column", "--test-fraction <0..1>", "--encoding <scheme>", "--epochs <N>" })
            StringAssert.Contains(run.Output, option);
    }

    private static SampleRun Run(params string[] args) => SampleRun.Of((a, o, e) => DatabaseApp.Run(a, o, e), args);
}
