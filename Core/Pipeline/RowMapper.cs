namespace MLComponents;

/// <summary>A column a <see cref="RowMapper"/> adds: name, type and annotations (e.g. KeyValues).</summary>
/// <param name="Name">Column name; an input column of the same name is hidden, not removed.</param>
/// <param name="Type">Column type; its getter must be a <c>ValueGetter</c> of <see cref="DataViewType.RawType"/>.</param>
/// <param name="Annotations">Annotations, or null for none.</param>
public sealed record OutputColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);

/// <summary>
/// The per-schema half of a row-to-row transformer: for one (validated) input schema, which columns it
/// adds and how to compute them from the input row. <see cref="RowToRowTransformerBase"/> turns it into
/// a lazy view (<see cref="RowMappedDataView"/>): input columns pass through, added columns are appended
/// (hiding input columns of the same name), and only columns a cursor asks for are computed.
/// </summary>
/// <remarks>
/// <para>Lifecycle. A mapper is created once per <c>Transform</c>/<c>GetOutputSchema</c> call; its constructor
/// is the place to check the input schema and throw <see cref="SchemaException"/> naming a missing or
/// mistyped column. <see cref="CreateGetters"/> is called once per cursor, so state captured by the
/// returned delegates (scratch buffers, caches) is per cursor and needs no locking; several cursors over
/// the same view may run on different threads at once, so do not keep mutable state in fields of the mapper.</para>
/// <para>Sharing work between outputs. When several outputs come from one computation (e.g. a model's Score
/// and PredictedLabel), compute it once per row inside <see cref="CreateGetters"/>: keep the last computed
/// <see cref="DataViewRow.Position"/> in a captured local and recompute only when <c>input.Position</c> differs.</para>
/// <para>Laziness. Getters run only when called; do not read input values in <see cref="CreateGetters"/> itself.</para>
/// </remarks>
public abstract class RowMapper
{
    /// <summary>Binds the mapper to an input schema.</summary>
    protected RowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        InputSchema = inputSchema;
    }

    /// <summary>The input schema this mapper was built for.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>The columns added, in order.</summary>
    public abstract IReadOnlyList<OutputColumn> OutputColumns { get; }

    /// <summary>The input columns needed to compute output column <paramref name="outputIndex"/> (an index into <see cref="OutputColumns"/>).</summary>
    public abstract IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex);

    /// <summary>
    /// Creates, for one cursor, the getters of the active outputs: element i is a
    /// <c>ValueGetter&lt;T&gt;</c> with T the raw type of <see cref="OutputColumns"/>[i] when
    /// <paramref name="isOutputActive"/>(i), else null. <paramref name="input"/> is the input cursor with the
    /// dependencies of the active outputs active; read it only inside the getters.
    /// </summary>
    public abstract Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive);

    /// <summary>The input column of a name, checked against an expected type; throws <see cref="SchemaException"/> naming it and both types.</summary>
    protected DataViewSchema.Column RequireColumn(string name, Func<DataViewType, bool> accepts, string expectedDescription)
    {
        var col = InputSchema[name];
        if (!accepts(col.Type)) throw SchemaException.WrongType(name, expectedDescription, col.Type);
        return col;
    }
}

/// <summary>
/// Base of fitted transformers that compute new columns row by row (tokenisers, featurisers, model
/// scorers): implement <see cref="MakeRowMapper"/> plus the save members; <see cref="Transform"/> is lazy.
/// </summary>
public abstract class RowToRowTransformerBase : ITransformer
{
    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public abstract string ComponentTypeId { get; }

    /// <inheritdoc />
    public abstract void Save(ModelSaveContext ctx);

    /// <summary>Builds (and validates) the mapper for an input schema; throws <see cref="SchemaException"/> on a bad column.</summary>
    protected abstract RowMapper MakeRowMapper(DataViewSchema inputSchema);

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return RowMappedDataView.OutputSchemaOf(inputSchema, MakeRowMapper(inputSchema));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RowMappedDataView(input, MakeRowMapper(input.Schema));
    }
}

/// <summary>
/// An estimator with nothing to learn: <see cref="Fit"/> checks the schema and returns the transformer it
/// was given (ML.NET's TrivialEstimator).
/// </summary>
public abstract class TrivialEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : class, ITransformer
{
    /// <summary>Wraps the transformer.</summary>
    protected TrivialEstimator(TTransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        Transformer = transformer;
    }

    /// <summary>The transformer Fit returns.</summary>
    protected TTransformer Transformer { get; }

    /// <inheritdoc />
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = Transformer.GetOutputSchema(input.Schema);
        return Transformer;
    }

    /// <inheritdoc />
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);
}

/// <summary>Helpers for estimators describing their output shape.</summary>
public static class SchemaShapeExtensions
{
    /// <summary>The shape with <paramref name="columns"/> added (replacing columns of the same names).</summary>
    public static SchemaShape WithColumns(this SchemaShape shape, params SchemaShape.Column[] columns)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return new SchemaShape(shape.Where(c => !names.Contains(c.Name)).Concat(columns));
    }
}
