[assembly: MLComponents.ModelComponent("MapKeyToValue", typeof(MLComponents.KeyToValueMappingTransformer))]

namespace MLComponents;

/// <summary>
/// Maps a key column (scalar or vector) back to its values using the column's KeyValues annotation
/// (ML.NET's KeyToValueMappingEstimator). Key 0 (missing) becomes the type's missing value: empty
/// text, NaN, or 0/false. Nothing to learn.
/// </summary>
public sealed class KeyToValueMappingEstimator : TrivialEstimator<KeyToValueMappingTransformer>
{
    internal KeyToValueMappingEstimator(string outputColumnName, string? inputColumnName)
        : base(new KeyToValueMappingTransformer(outputColumnName, inputColumnName ?? outputColumnName)) { }

    /// <summary>
    /// The output shape. A shape carries no annotations, so the value type (known only from the KeyValues
    /// annotation at transform time) is reported as text, the common case.
    /// </summary>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = inputSchema.GetColumn(Transformer.InputColumnName);
        if (!c.IsKey) throw SchemaException.WrongType(c.Name, "a key (or vector of keys)", c.ItemType);
        return inputSchema.WithColumns(new SchemaShape.Column(Transformer.OutputColumnName, c.Kind, TextDataViewType.Instance, false));
    }
}

/// <summary>The transformer of <see cref="KeyToValueMappingEstimator"/>: stores only column names.</summary>
public sealed class KeyToValueMappingTransformer : RowToRowTransformerBase
{
    internal KeyToValueMappingTransformer(string output, string input)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentException.ThrowIfNullOrEmpty(input);
        OutputColumnName = output; InputColumnName = input;
    }

    /// <summary>The value column produced.</summary>
    public string OutputColumnName { get; }

    /// <summary>The key column read.</summary>
    public string InputColumnName { get; }

    /// <inheritdoc />
    public override string ComponentTypeId => "MapKeyToValue";

    /// <inheritdoc />
    public override void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Options["outputColumnName"] = OutputColumnName;
        ctx.Options["inputColumnName"] = InputColumnName;
    }

    /// <summary>Rebuilds a saved transformer.</summary>
    public static KeyToValueMappingTransformer Load(ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return new KeyToValueMappingTransformer(ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"));
    }

    /// <inheritdoc />
    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema)
    {
        var col = inputSchema[InputColumnName];
        var key = (col.Type is VectorDataViewType v ? v.ItemType : col.Type) as KeyDataViewType
            ?? throw SchemaException.WrongType(col.Name, "a key (or vector of keys)", col.Type);
        var annType = col.Annotations.GetTypeOrNull(DataViewSchema.Annotations.KeyValuesKind) as VectorDataViewType;
        if (annType is null || col.Annotations.GetRawOrNull(DataViewSchema.Annotations.KeyValuesKind) is not { } values)
            throw new SchemaException($"Key column '{col.Name}' ({col.Type}) has no KeyValues annotation, so its keys cannot be mapped back to values.", col.Name);
        if ((ulong)annType.Size < key.Count && annType.Size != 0)
            throw new SchemaException($"Key column '{col.Name}' has {key.Count} keys but its KeyValues annotation only {annType.Size} values.", col.Name);
        return (RowMapper)GenericDispatch.Invoke(typeof(KeyToValueMappingTransformer), nameof(MakeMapper), [annType.ItemType.RawType], this,
            inputSchema, col, annType.ItemType, values)!;
    }

    private Mapper<T> MakeMapper<T>(DataViewSchema schema, DataViewSchema.Column col, PrimitiveDataViewType itemType, object values) =>
        new(schema, col, OutputColumnName, itemType, ((VBuffer<T>)values).ToArray());

    private sealed class Mapper<T> : RowMapper
    {
        private readonly DataViewSchema.Column _input;
        private readonly T[] _values;
        private readonly T _missing;

        public Mapper(DataViewSchema schema, DataViewSchema.Column input, string output, PrimitiveDataViewType itemType, T[] values) : base(schema)
        {
            _input = input;
            _values = values;
            _missing = typeof(T) == typeof(float) ? (T)(object)float.NaN
                : typeof(T) == typeof(double) ? (T)(object)double.NaN
                : typeof(T) == typeof(ReadOnlyMemory<char>) ? (T)(object)ReadOnlyMemory<char>.Empty
                : default!;
            DataViewType outType = input.Type is VectorDataViewType v ? new VectorDataViewType(itemType, v.Size) : itemType;
            OutputColumns = [new OutputColumn(output, outType)];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (_input.Type is VectorDataViewType)
            {
                var get = input.GetGetter<VBuffer<uint>>(_input);
                VBuffer<uint> src = default;
                return [(ValueGetter<VBuffer<T>>)((ref VBuffer<T> dst) =>
                {
                    get(ref src);
                    var keys = src.GetValues();
                    var buf = VBufferUtils.Rent(dst, keys.Length);
                    for (int i = 0; i < keys.Length; i++) buf[i] = Value(keys[i]);
                    dst = new VBuffer<T>(keys.Length, buf);
                })];
            }
            var getKey = input.GetGetter<uint>(_input);
            uint k = 0;
            return [(ValueGetter<T>)((ref T dst) => { getKey(ref k); dst = Value(k); })];
        }

        private T Value(uint key) => key == 0 || key > (uint)_values.Length ? _missing : _values[key - 1];
    }
}
