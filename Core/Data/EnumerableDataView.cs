namespace MLComponents;

/// <summary>
/// A view over an <see cref="IEnumerable{T}"/> of row objects. Lazy: every cursor enumerates the source
/// afresh and reads members only when their getters are called; nothing is stored.
/// </summary>
internal sealed class EnumerableDataView<TRow> : IDataView where TRow : class
{
    private readonly IEnumerable<TRow> _source;
    private readonly SchemaDefinition _definition;

    public EnumerableDataView(IEnumerable<TRow> source, SchemaDefinition definition)
    {
        _source = source;
        _definition = definition;
        var b = new DataViewSchema.Builder();
        foreach (var c in definition) b.AddColumn(c.ColumnName, c.ColumnType, c.Annotations);
        Schema = b.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    // Counting would mean enumerating; only collections know their size for free.
    public long? GetRowCount() => _source is IReadOnlyCollection<TRow> c ? c.Count : _source is ICollection<TRow> c2 ? c2.Count : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    private sealed class Cursor : RowCursorBase
    {
        private readonly EnumerableDataView<TRow> _view;
        private IEnumerator<TRow>? _enumerator;
        private TRow? _current;

        public Cursor(EnumerableDataView<TRow> view, IEnumerable<DataViewSchema.Column> needed) : base(view.Schema, needed)
        {
            _view = view;
        }

        protected override bool MoveNextCore()
        {
            _enumerator ??= _view._source.GetEnumerator();
            if (!_enumerator.MoveNext()) return false;
            _current = _enumerator.Current ?? throw new InvalidDataException($"Row {Position + 1} of the enumerable source is null.");
            return true;
        }

        protected override Delegate MakeGetter(int columnIndex) =>
            RowObjectReader.MakeGetter(_view._definition[columnIndex], Current, () => Position);

        private TRow Current()
        {
            EnsureOnRow();
            return _current!;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _enumerator?.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// A materialised table: one array of raw values per column. Can shuffle (a cursor with a
/// <see cref="Random"/> visits a permutation). Getters copy vectors, so consumers cannot alter it.
/// </summary>
public sealed class InMemoryDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _rowCount;

    /// <summary>
    /// Wraps column arrays: <paramref name="columns"/>[i] must be a <c>T[]</c> with T the raw type of
    /// schema column i, all of the same length. The arrays are not copied; do not change them afterwards.
    /// </summary>
    public InMemoryDataView(DataViewSchema schema, IReadOnlyList<Array> columns)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count != schema.Count) throw new ArgumentException($"{columns.Count} column arrays for a schema of {schema.Count} columns.", nameof(columns));
        for (int i = 0; i < columns.Count; i++)
        {
            var want = schema[i].Type.RawType.MakeArrayType();
            if (columns[i].GetType() != want)
                throw SchemaException.WrongType(schema[i].Name, TypeNames.Of(columns[i].GetType()), schema[i].Type);
            if (columns[i].Length != columns[0].Length)
                throw new ArgumentException($"Column '{schema[i].Name}' has {columns[i].Length} rows, column '{schema[0].Name}' has {columns[0].Length}.", nameof(columns));
        }
        Schema = schema;
        _columns = [.. columns];
        _rowCount = columns.Count == 0 ? 0 : columns[0].Length;
    }

    /// <inheritdoc />
    public bool CanShuffle => true;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public long? GetRowCount() => _rowCount;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int[]? order = null;
        if (rand is not null)
        {
            order = [.. Enumerable.Range(0, _rowCount)];
            rand.Shuffle(order);
        }
        return new Cursor(this, columnsNeeded, order);
    }

    private sealed class Cursor(InMemoryDataView view, IEnumerable<DataViewSchema.Column> needed, int[]? order)
        : RowCursorBase(view.Schema, needed)
    {
        private int _row = -1;
        private int _next;

        protected override bool MoveNextCore()
        {
            if (_next >= view._rowCount) return false;
            _row = order is null ? _next : order[_next];
            _next++;
            return true;
        }

        protected override Delegate MakeGetter(int columnIndex) =>
            (Delegate)GenericDispatch.Invoke(typeof(Cursor), nameof(MakeTyped), [view.Schema[columnIndex].Type.RawType], this, columnIndex)!;

        private ValueGetter<T> MakeTyped<T>(int columnIndex)
        {
            var arr = (T[])view._columns[columnIndex];
            var copy = ValueCopier<T>.Copy;
            return (ref T v) =>
            {
                EnsureOnRow();
                copy(in arr[_row], ref v);
            };
        }
    }
}
