using Microsoft.Data.Sqlite;

namespace MLComponents.Samples.DatabaseTraining;

/// <summary>The sample's own SQLite database: the embedded "who did it?" sentences in one table.</summary>
public static class SampleDatabase
{
    /// <summary>The table the sample creates.</summary>
    public const string Table = "sentences";

    /// <summary>
    /// Writes a new SQLite file at <paramref name="path"/> (replacing one that is there) with the table
    /// <c>sentences(Id INTEGER PRIMARY KEY, Label TEXT NOT NULL, Text TEXT NOT NULL)</c> holding <paramref name="rows"/>
    /// generated sentences.
    /// </summary>
    public static void Create(string path, int rows, int seed)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path)) File.Delete(path);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = $"CREATE TABLE {Table} (Id INTEGER PRIMARY KEY, Label TEXT NOT NULL, Text TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {Table} (Label, Text) VALUES ($label, $text)";
        var label = insert.Parameters.Add("$label", SqliteType.Text);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        foreach (var (l, t) in WhoDidItData.Generate(rows, seed))
        {
            label.Value = l;
            text.Value = t;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
