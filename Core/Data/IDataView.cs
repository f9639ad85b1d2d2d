namespace MLComponents;

/// <summary>Reads one value of a column into <paramref name="value"/> (reusing its buffers where it can).</summary>
public delegate void ValueGetter<TValue>(ref TValue value);

/// <summary>
/// A lazy, immutable, streamable table (ML.NET's IDataView). Nothing is computed until a cursor pulls rows.
/// </summary>
public interface IDataView
{
    /// <summary>True when the view can produce its rows in a random order cheaply.</summary>
    bool CanShuffle { get; }

    /// <summary>The columns.</summary>
    DataViewSchema Schema { get; }

    /// <summary>Number of rows when known without a pass, else null.</summary>
    long? GetRowCount();

    /// <summary>Opens a forward cursor over the rows, computing only <paramref name="columnsNeeded"/>.</summary>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);
}

/// <summary>One row of a view: typed getters over its active columns.</summary>
public abstract class DataViewRow : IDisposable
{
    /// <summary>The columns.</summary>
    public abstract DataViewSchema Schema { get; }

    /// <summary>Zero-based row index; -1 before the first MoveNext.</summary>
    public abstract long Position { get; }

    /// <summary>True when the column's getter may be asked for.</summary>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>A getter for a column; throws <see cref="SchemaException"/> naming the column when TValue is wrong.</summary>
    public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

    /// <summary>Releases resources.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing) { }
}

/// <summary>A forward-only cursor (ML.NET's DataViewRowCursor).</summary>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Advances to the next row; false at the end.</summary>
    public abstract bool MoveNext();
}
