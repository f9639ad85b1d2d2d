using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLComponents;

/// <summary>A column is missing or has the wrong type. The message names the column and both types.</summary>
public sealed class SchemaException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public SchemaException(string message, string? columnName = null) : base(message) => ColumnName = columnName;

    /// <summary>The column at fault, when there is one.</summary>
    public string? ColumnName { get; }

    /// <summary>A required column is absent.</summary>
    public static SchemaException MissingColumn(string name, DataViewSchema schema) =>
        new($"Column '{name}' not found. Available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"))}.", name);

    /// <summary>A column has the wrong type.</summary>
    public static SchemaException WrongType(string name, string expected, DataViewType actual) =>
        new($"Column '{name}' has type {actual}, but {expected} is expected.", name);
}
