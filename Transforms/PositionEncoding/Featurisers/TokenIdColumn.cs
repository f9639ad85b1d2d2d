using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>Checks shared by the steps that read a token-id column (a vector of Int32, as TokenizeToIds writes).</summary>
internal static class TokenIdColumn
{
    public static DataViewSchema.Column Require(DataViewSchema schema, string name)
    {
        var col = SchemaChecks.Require(schema, name);
        if (col.Type is not VectorDataViewType { ItemType: NumberDataViewType n } || n.RawType != typeof(int))
            throw SchemaException.WrongType(name, "a vector of Int32 token ids (the output of TokenizeToIds)", col.Type);
        return col;
    }

    public static void RequireShape(SchemaShape shape, string name)
    {
        var c = SchemaChecks.Require(shape, name);
        if (c.Kind == SchemaShape.Column.VectorKind.Scalar || c.IsKey || c.ItemType.RawType != typeof(int))
            throw new SchemaException($"Column '{name}' must be a vector of Int32 token ids (the output of TokenizeToIds), got {c.ItemType}.", name);
    }

    /// <summary>Name of the Int32 annotation giving the width of one position's row in a [T, width] float vector.</summary>
    public const string RowWidthKind = "RowWidth";

    public static DataViewSchema.Annotations RowWidth(int width)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(RowWidthKind, NumberDataViewType.Int32, (ref int value) => value = width);
        return builder.ToAnnotations();
    }

    /// <summary>The row width a column's "RowWidth" annotation declares, or null when it has none.</summary>
    public static int? ReadRowWidth(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(RowWidthKind) is not { Type: NumberDataViewType { RawType: var raw } } || raw != typeof(int)) return null;
        int width = 0;
        column.Annotations.GetValue(RowWidthKind, ref width);
        return width;
    }
}
