namespace MLComponents;

/// <summary>
/// Runs a fitted model on one example at a time (ML.NET's PredictionEngine). Built once: the model's
/// views, cursor and getters are created at construction and reused, so <see cref="Predict(TSrc)"/>
/// allocates little more than the result object.
/// </summary>
/// <remarks>
/// Not thread-safe: it holds one cursor and reusable buffers. Use one engine per thread (or a pool).
/// Output members map by name or [ColumnName]: vectors to arrays (e.g. float[] Score), text to string,
/// keys to uint, numbers and booleans to themselves.
/// </remarks>
public sealed class PredictionEngine<TSrc, TDst> : IDisposable where TSrc : class where TDst : class, new()
{
    private readonly ExampleView<TSrc> _source;
    private readonly DataViewRowCursor _cursor;
    private readonly Action<TDst>[] _setters;
    private bool _disposed;

    internal PredictionEngine(ITransformer model, DataViewSchema? inputSchema, bool ignoreMissingColumns,
        SchemaDefinition? inputDefinition, SchemaDefinition? outputDefinition)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsRowToRowMapper)
            throw new InvalidOperationException("A prediction engine needs a model whose every step maps rows one to one.");
        var def = inputDefinition ?? SchemaDefinition.Create(typeof(TSrc));
        if (inputSchema is not null) AdoptTypes(def, inputSchema);
        _source = new ExampleView<TSrc>(def);
        var output = model.Transform(_source);
        OutputSchema = output.Schema;
        var pairs = DataOperationsCatalog.MatchColumns(output.Schema, outputDefinition ?? SchemaDefinition.Create(typeof(TDst)), ignoreMissingColumns);
        _cursor = output.GetRowCursor(pairs.Select(p => p.Column));
        _setters = [.. pairs.Select(p => RowObjectWriter.MakeSetter<TDst>(_cursor, p.Column, p.Member, reuseArrays: false))];
    }

    /// <summary>The schema of the model's output for this input type.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>Predicts for one example, returning a new object.</summary>
    public TDst Predict(TSrc example)
    {
        var result = new TDst();
        Predict(example, ref result);
        return result;
    }

    /// <summary>Predicts for one example into an existing object (its arrays are replaced, not shared).</summary>
    public void Predict(TSrc example, ref TDst prediction)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(prediction);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _source.Current = example;
        if (!_cursor.MoveNext()) throw new InvalidOperationException("The model's view ended unexpectedly.");
        foreach (var set in _setters) set(prediction);
    }

    /// <summary>Releases the cursor.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cursor.Dispose();
    }

    // Use the training schema's exact types (key counts, vector sizes, KeyValues) for columns whose
    // member reads the same CLR value; members that differ keep their own mapping.
    private static void AdoptTypes(SchemaDefinition def, DataViewSchema schema)
    {
        foreach (var m in def)
        {
            var col = schema.GetColumnOrNull(m.ColumnName);
            if (col is null || col.Type.RawType != m.ColumnType.RawType) continue;
            m.ColumnType = col.Type;
            m.Annotations = col.Annotations;
        }
    }
}

/// <summary>
/// An endless one-row-at-a-time view: every MoveNext exposes the object the engine set last. This keeps
/// one cursor open over the whole model for the engine's lifetime.
/// </summary>
internal sealed class ExampleView<TRow> : IDataView where TRow : class
{
    private readonly SchemaDefinition _definition;

    public ExampleView(SchemaDefinition definition)
    {
        _definition = definition;
        var b = new DataViewSchema.Builder();
        foreach (var c in definition) b.AddColumn(c.ColumnName, c.ColumnType, c.Annotations);
        Schema = b.ToSchema();
    }

    public TRow? Current { get; set; }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    private sealed class Cursor(ExampleView<TRow> view, IEnumerable<DataViewSchema.Column> needed) : RowCursorBase(view.Schema, needed)
    {
        protected override bool MoveNextCore() => true;

        protected override Delegate MakeGetter(int columnIndex) =>
            RowObjectReader.MakeGetter(view._definition[columnIndex], () => view.Current ?? throw new InvalidOperationException("No example set."), () => Position);
    }
}
