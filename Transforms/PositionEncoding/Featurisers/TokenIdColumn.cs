namespace MLComponents;

/// <summary>Checks shared by the steps that read a token-id column (a vector of Int32, as TokenizeToIds writes).</summary>
internal static class TokenIdColumn
{
    public static DataViewSchema.Column Require(DataViewSchema schema, string name)
    {
        var col = schema[name];
        if (col.Type is not VectorDataViewType { ItemType: NumberDataViewType n } || n.RawType != typeof(int))
            throw SchemaException.WrongType(name, "a vector of Int32 token ids (the output of TokenizeToIds)", col.Type);
        return col;
    }

    public static void RequireShape(SchemaShape shape, string name)
    {
        var c = shape.GetColumn(name);
        if (c.Kind == SchemaShape.VectorKind.Scalar || c.IsKey || c.ItemType.RawType != typeof(int))
            throw new SchemaException($"Column '{name}' must be a vector of Int32 token ids (the output of TokenizeToIds), got {c}.", name);
    }

    /// <summary>Name of the Int32 annotation giving the width of one position's row in a [T, width] float vector.</summary>
    public const string RowWidthKind = "RowWidth";

    public static DataViewSchema.Annotations RowWidth(int width) =>
        new DataViewSchema.Annotations.Builder().Add(RowWidthKind, NumberDataViewType.Int32, width).ToAnnotations();
}
