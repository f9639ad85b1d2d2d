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

    /// <summary>A getter was asked for with a value type that is not the column's raw type.</summary>
    public static SchemaException WrongGetterType(DataViewSchema.Column column, Type requested) =>
        new($"Column '{column.Name}' has type {column.Type} (read as {TypeNames.Of(column.Type.RawType)}), " +
            $"but a getter of {TypeNames.Of(requested)} was requested.", column.Name);
}

/// <summary>Readable CLR type names for messages, e.g. VBuffer&lt;Single&gt; instead of VBuffer`1.</summary>
internal static class TypeNames
{
    public static string Of(Type t)
    {
        if (!t.IsGenericType) return t.Name;
        string name = t.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) name = name[..tick];
        return $"{name}<{string.Join(", ", t.GetGenericArguments().Select(Of))}>";
    }
}
