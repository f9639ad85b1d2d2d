namespace MLComponents;

/// <summary>
/// The lazy output of a <see cref="RowMapper"/>: the input columns, then the mapper's columns. A cursor
/// opens the input with only the columns needed (requested inputs plus dependencies of requested
/// outputs) and computes outputs only when their getters are called.
/// </summary>
public sealed class RowMappedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly RowMapper _mapper;

    /// <summary>Maps <paramref name="input"/> with <paramref name="mapper"/> (built for input.Schema).</summary>
    public RowMappedDataView(IDataView input, RowMapper mapper)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(mapper);
        if (!ReferenceEquals(mapper.InputSchema, input.Schema) && mapper.InputSchema.ToString() != input.Schema.ToString())
            throw new ArgumentException("The mapper was built for another input schema.", nameof(mapper));
        _input = input;
        _mapper = mapper;
        Schema = OutputSchemaOf(input.Schema, mapper);
    }

    /// <summary>The input columns followed by the mapper's outputs.</summary>
    public static DataViewSchema OutputSchemaOf(DataViewSchema input, RowMapper mapper)
    {
        var b = new DataViewSchema.Builder().AddColumns(input);
        foreach (var o in mapper.OutputColumns) b.AddColumn(o.Name, o.Type, o.Annotations);
        return b.ToSchema();
    }

    /// <inheritdoc />
    public bool CanShuffle => _input.CanShuffle;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public long? GetRowCount() => _input.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int nIn = _input.Schema.Count;
        var activeOut = new bool[_mapper.OutputColumns.Count];
        var inputs = new HashSet<int>();
        foreach (var c in columnsNeeded)
        {
            if ((uint)c.Index >= (uint)Schema.Count || Schema[c.Index].Name != c.Name)
                throw new SchemaException($"Column '{c.Name}' (index {c.Index}) does not belong to this view's schema.", c.Name);
            if (c.Index < nIn) inputs.Add(c.Index);
            else activeOut[c.Index - nIn] = true;
        }
        for (int i = 0; i < activeOut.Length; i++)
            if (activeOut[i])
                foreach (var d in _mapper.GetDependencies(i)) inputs.Add(d.Index);
        var inputCursor = _input.GetRowCursor(inputs.Select(i => _input.Schema[i]), rand);
        Delegate?[] getters = activeOut.Any(a => a) ? _mapper.CreateGetters(inputCursor, i => activeOut[i]) : new Delegate?[activeOut.Length];
        for (int i = 0; i < activeOut.Length; i++)
        {
            if (!activeOut[i]) continue;
            var want = typeof(ValueGetter<>).MakeGenericType(_mapper.OutputColumns[i].Type.RawType);
            if (getters[i]?.GetType() != want)
                throw new InvalidOperationException($"{_mapper.GetType().Name} returned {getters[i]?.GetType().Name ?? "null"} for column '{_mapper.OutputColumns[i].Name}', expected {TypeNames.Of(want)}.");
        }
        return new Cursor(this, inputCursor, activeOut, getters);
    }

    private sealed class Cursor(RowMappedDataView view, DataViewRowCursor input, bool[] activeOut, Delegate?[] getters) : DataViewRowCursor
    {
        private readonly int _nIn = view._input.Schema.Count;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => input.Position;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _nIn ? input.IsColumnActive(view._input.Schema[column.Index]) : column.Index - _nIn < activeOut.Length && activeOut[column.Index - _nIn];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if ((uint)column.Index >= (uint)view.Schema.Count || view.Schema[column.Index].Name != column.Name)
                throw new SchemaException($"Column '{column.Name}' (index {column.Index}) does not belong to this view's schema.", column.Name);
            if (column.Index < _nIn) return input.GetGetter<TValue>(view._input.Schema[column.Index]);
            var own = view.Schema[column.Index];
            int o = column.Index - _nIn;
            if (!activeOut[o]) throw new InvalidOperationException($"Column '{own.Name}' is not active in this cursor; pass it in columnsNeeded.");
            if (typeof(TValue) != own.Type.RawType) throw SchemaException.WrongGetterType(own, typeof(TValue));
            return (ValueGetter<TValue>)getters[o]!;
        }

        public override bool MoveNext() => input.MoveNext();

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}
