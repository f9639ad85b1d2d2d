namespace MLComponents;

/// <summary>Convenience readers over views (ML.NET's ColumnCursorExtensions / cursor helpers).</summary>
public static class DataViewExtensions
{
    /// <summary>A cursor over every column.</summary>
    public static DataViewRowCursor GetRowCursorForAllColumns(this IDataView data, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.GetRowCursor(data.Schema, rand);
    }

    /// <summary>
    /// The values of one column, lazily (one cursor per enumeration, only that column active). Vector values
    /// are copied, so each item is independent. <typeparamref name="T"/> must be the column's raw type
    /// (e.g. ReadOnlyMemory&lt;char&gt; for text, VBuffer&lt;float&gt; for a float vector, uint for a key).
    /// </summary>
    /// <exception cref="SchemaException">The column is missing or is not read as <typeparamref name="T"/>.</exception>
    public static IEnumerable<T> GetColumn<T>(this IDataView data, string columnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var col = data.Schema[columnName];
        if (col.Type.RawType != typeof(T)) throw SchemaException.WrongGetterType(col, typeof(T));
        return Read<T>(data, col);
    }

    private static IEnumerable<T> Read<T>(IDataView data, DataViewSchema.Column col)
    {
        using var cursor = data.GetRowCursor([col]);
        var getter = cursor.GetGetter<T>(col);
        var copy = ValueCopier<T>.Copy;
        T scratch = default!;
        while (cursor.MoveNext())
        {
            getter(ref scratch);
            T item = default!;
            copy(in scratch, ref item);
            yield return item;
        }
    }
}
