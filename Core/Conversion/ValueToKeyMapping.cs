[assembly: MLComponents.ModelComponent("MapValueToKey", typeof(MLComponents.ValueToKeyMappingTransformer))]

namespace MLComponents;

/// <summary>
/// Learns the distinct values of a column (text, number or boolean; scalar or vector) and maps them to
/// keys 1..N (ML.NET's ValueToKeyMappingEstimator). Values seen after the first
/// <c>maximumNumberOfKeys</c>, unseen values at transform time and NaN map to key 0 (missing).
/// </summary>
public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    private readonly string _output;
    private readonly string _input;
    private readonly int _maxKeys;
    private readonly KeyOrdinality _ordinality;
    private readonly bool _annotationsAsText;

    /// <summary>How keys are numbered.</summary>
    public enum KeyOrdinality
    {
        /// <summary>In order of first occurrence in the training data.</summary>
        ByOccurrence,
        /// <summary>In sorted order of the values (text ordinal, numbers ascending).</summary>
        ByValue,
    }

    internal ValueToKeyMappingEstimator(string outputColumnName, string? inputColumnName, int maximumNumberOfKeys, KeyOrdinality keyOrdinality, bool addKeyValueAnnotationsAsText)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumNumberOfKeys, 1);
        _output = outputColumnName;
        _input = inputColumnName ?? outputColumnName;
        _maxKeys = maximumNumberOfKeys;
        _ordinality = keyOrdinality;
        _annotationsAsText = addKeyValueAnnotationsAsText;
    }

    /// <inheritdoc />
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var col = input.Schema[_input];
        var item = ValueToKeyMappingTransformer.CheckInput(col);
        var values = (Array)GenericDispatch.Invoke(typeof(ValueToKeyMappingEstimator), nameof(Collect), [item.RawType], this, input, col)!;
        if (values.Length == 0)
            throw new InvalidOperationException($"Column '{_input}' has no values to learn keys from (empty data, or only missing values).");
        return new ValueToKeyMappingTransformer(_output, _input, item, values, _annotationsAsText);
    }

    private T[] Collect<T>(IDataView input, DataViewSchema.Column col) where T : notnull
    {
        var seen = new Dictionary<T, int>(KeyValueCodec.Comparer<T>());
        var values = new List<T>();
        bool isText = typeof(T) == typeof(ReadOnlyMemory<char>);
        void Add(T v)
        {
            if (values.Count >= _maxKeys || KeyValueCodec.IsMissing(v) || seen.ContainsKey(v)) return;
            // Text values may be slices of a loader's buffer: keep our own copy.
            if (isText) v = (T)(object)((ReadOnlyMemory<char>)(object)v!).ToString().AsMemory();
            seen.Add(v, values.Count);
            values.Add(v);
        }
        using var cursor = input.GetRowCursor([col]);
        if (col.Type is VectorDataViewType)
        {
            var get = cursor.GetGetter<VBuffer<T>>(col);
            VBuffer<T> buf = default;
            while (cursor.MoveNext() && values.Count < _maxKeys)
            {
                get(ref buf);
                foreach (var v in buf.GetValues()) Add(v);
            }
        }
        else
        {
            var get = cursor.GetGetter<T>(col);
            T v = default!;
            while (cursor.MoveNext() && values.Count < _maxKeys)
            {
                get(ref v);
                Add(v);
            }
        }
        if (_ordinality == KeyOrdinality.ByValue) values.Sort(KeyValueCodec.Order<T>());
        return [.. values];
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = inputSchema.GetColumn(_input);
        if (c.IsKey || !KeyValueCodec.IsSupported(c.ItemType))
            throw SchemaException.WrongType(_input, "text, number or boolean (scalar or vector)", c.ItemType);
        return inputSchema.WithColumns(new SchemaShape.Column(_output, c.Kind, NumberDataViewType.UInt32, IsKey: true));
    }
}

/// <summary>
/// Maps values to keys with a learned value list (the fitted half of MapValueToKey). The output column
/// is a key (or vector of keys) of the list's size, with the list as its KeyValues annotation.
/// </summary>
public sealed class ValueToKeyMappingTransformer : RowToRowTransformerBase
{
    private readonly Array _values;

    internal ValueToKeyMappingTransformer(string output, string input, PrimitiveDataViewType itemType, Array values, bool annotationsAsText)
    {
        OutputColumnName = output; InputColumnName = input; ValueType = itemType; _values = values; KeyValueAnnotationsAsText = annotationsAsText;
    }

    /// <summary>The key column produced.</summary>
    public string OutputColumnName { get; }

    /// <summary>The value column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The (item) type of the values.</summary>
    public PrimitiveDataViewType ValueType { get; }

    /// <summary>True when the KeyValues annotation is text rather than the value type.</summary>
    public bool KeyValueAnnotationsAsText { get; }

    /// <summary>Number of keys learned.</summary>
    public int KeyCount => _values.Length;

    /// <summary>The learned values as text, in key order (key i+1 is element i).</summary>
    public IReadOnlyList<string> GetKeyValuesAsText() =>
        [.. _values.Cast<object>().Select(v => KeyValueCodec.ToText(v))];

    /// <inheritdoc />
    public override string ComponentTypeId => "MapValueToKey";

    internal static PrimitiveDataViewType CheckInput(DataViewSchema.Column col)
    {
        var item = col.Type is VectorDataViewType v ? v.ItemType : col.Type as PrimitiveDataViewType;
        if (item is null or KeyDataViewType || !KeyValueCodec.IsSupported(item))
            throw SchemaException.WrongType(col.Name, "text, number or boolean (scalar or vector)", col.Type);
        return item;
    }

    /// <inheritdoc />
    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema) =>
        (RowMapper)GenericDispatch.Invoke(typeof(ValueToKeyMappingTransformer), nameof(MakeMapper), [ValueType.RawType], this, inputSchema)!;

    private Mapper<T> MakeMapper<T>(DataViewSchema inputSchema) where T : notnull => new(this, inputSchema, (T[])_values);

    /// <inheritdoc />
    public override void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Options["outputColumnName"] = OutputColumnName;
        ctx.Options["inputColumnName"] = InputColumnName;
        ctx.Options["valueKind"] = KeyValueCodec.KindName(ValueType);
        ctx.Options["keyValueAnnotationsAsText"] = KeyValueAnnotationsAsText;
        ctx.AddText("keyValues", _values.Cast<object>().Select(v => EncodeBoxed(v)));
    }

    private static string EncodeBoxed(object v) => v is ReadOnlyMemory<char> m ? KeyValueCodec.Encode(m) : KeyValueCodec.ToText(v);

    /// <summary>Rebuilds a saved transformer.</summary>
    public static ValueToKeyMappingTransformer Load(ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var type = KeyValueCodec.FromKindName(ctx.GetOption<string>("valueKind"), ctx.EntryPath);
        var lines = ctx.GetText("keyValues");
        if (lines.Count == 0) throw new ModelFormatException(ctx.EntryPath, "text 'keyValues' is empty");
        var values = (Array)GenericDispatch.Invoke(typeof(ValueToKeyMappingTransformer), nameof(DecodeAll), [type.RawType], null, lines, ctx.EntryPath)!;
        return new ValueToKeyMappingTransformer(ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"),
            type, values, ctx.GetOptionOrDefault("keyValueAnnotationsAsText", false));
    }

    private static T[] DecodeAll<T>(IReadOnlyList<string> lines, string entry)
    {
        var values = lines.Select(l => KeyValueCodec.Decode<T>(l, entry)).ToArray();
        var set = new HashSet<T>(KeyValueCodec.Comparer<T>());
        foreach (var v in values)
            if (!set.Add(v)) throw new ModelFormatException(entry, $"key value '{KeyValueCodec.ToText(v)}' appears twice");
        return values;
    }

    private sealed class Mapper<T> : RowMapper where T : notnull
    {
        private readonly DataViewSchema.Column _input;
        private readonly Dictionary<T, uint> _keys;

        public Mapper(ValueToKeyMappingTransformer parent, DataViewSchema schema, T[] values) : base(schema)
        {
            _input = schema[parent.InputColumnName];
            var item = CheckInput(_input);
            if (!item.Equals(parent.ValueType))
                throw SchemaException.WrongType(_input.Name, $"{parent.ValueType} values (as at fit time)", _input.Type);
            _keys = new Dictionary<T, uint>(values.Length, KeyValueCodec.Comparer<T>());
            for (int i = 0; i < values.Length; i++) _keys[values[i]] = (uint)(i + 1);

            var keyType = new KeyDataViewType((ulong)values.Length);
            DataViewType outType = _input.Type is VectorDataViewType v ? new VectorDataViewType(keyType, v.Size) : keyType;
            var ann = new DataViewSchema.Annotations.Builder();
            if (parent.KeyValueAnnotationsAsText) ann.AddKeyValues([.. values.Select(x => KeyValueCodec.ToText(x))]);
            else ann.Add(DataViewSchema.Annotations.KeyValuesKind, new VectorDataViewType(parent.ValueType, values.Length), new VBuffer<T>([.. values]));
            OutputColumns = [new OutputColumn(parent.OutputColumnName, outType, ann.ToAnnotations())];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (_input.Type is VectorDataViewType)
            {
                var get = input.GetGetter<VBuffer<T>>(_input);
                VBuffer<T> src = default;
                return [(ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> dst) =>
                {
                    get(ref src);
                    var vals = src.GetValues();
                    var buf = VBufferUtils.Rent(dst, vals.Length);
                    for (int i = 0; i < vals.Length; i++) buf[i] = Lookup(vals[i]);
                    dst = new VBuffer<uint>(vals.Length, buf);
                })];
            }
            var getScalar = input.GetGetter<T>(_input);
            T value = default!;
            return [(ValueGetter<uint>)((ref uint dst) => { getScalar(ref value); dst = Lookup(value); })];
        }

        private uint Lookup(T v) => !KeyValueCodec.IsMissing(v) && _keys.TryGetValue(v, out uint k) ? k : 0;
    }
}
