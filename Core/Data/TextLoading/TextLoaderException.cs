namespace MLComponents;

/// <summary>
/// A text file could not be read as the declared columns. The message names the file, the 1-based line
/// (of the record's first line when quoted fields span lines), the column and the offending value.
/// </summary>
public sealed class TextLoaderException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public TextLoaderException(string filePath, long lineNumber, string? columnName, string? value, string problem, Exception? inner = null)
        : base(Format(filePath, lineNumber, columnName, value, problem), inner)
    {
        FilePath = filePath; LineNumber = lineNumber; ColumnName = columnName; Value = value;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number in the file.</summary>
    public long LineNumber { get; }

    /// <summary>The column at fault, if any.</summary>
    public string? ColumnName { get; }

    /// <summary>The offending field text, if any.</summary>
    public string? Value { get; }

    private static string Format(string file, long line, string? column, string? value, string problem)
    {
        var s = $"File '{file}', line {line}";
        if (column is not null) s += $", column '{column}'";
        if (value is not null) s += $", value '{value}'";
        return s + ": " + problem;
    }
}
