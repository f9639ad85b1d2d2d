using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLComponents.MLNet;

/// <summary>A column a <see cref="RowMapper"/> adds: name, type and annotations (e.g. KeyValues).</summary>
/// <param name="Name">Column name; an input column of the same name is hidden, not removed.</param>
/// <param name="Type">Column type; its getter must be a <c>ValueGetter</c> of <see cref="DataViewType.RawType"/>.</param>
/// <param name="Annotations">Annotations, or null for none.</param>
public sealed record OutputColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);

/// <summary>
/// The per-schema half of one of our row-to-row transformers: for one (validated) input schema, which columns it adds
/// and how to compute them from an input row. <see cref="ComponentTransformer{TSelf}"/> hands it to ML.NET's own
/// row-to-row machinery (lazy views, parallel cursor sets, PredictionEngine), which calls it per cursor.
/// </summary>
/// <remarks>
/// <para>Lifecycle. A mapper is created once per <c>Transform</c>/<c>GetOutputSchema</c> call; its constructor is the
/// place to check the input schema and throw <see cref="SchemaException"/> naming a missing or mistyped column.
/// <see cref="CreateGetters"/> is called once per cursor, so state captured by the returned delegates (scratch buffers,
/// caches) is per cursor and needs no locking; cursors of one view may run on different threads at once, so keep no
/// mutable state in fields of the mapper.</para>
/// <para>Sharing work between outputs. When several outputs come from one computation, compute it once per row: keep
/// the last computed <see cref="DataViewRow.Position"/> in a captured local and recompute only when it changes.</para>
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

    /// <summary>The input columns needed to compute output column <paramref name="outputIndex"/>.</summary>
    public abstract IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex);

    /// <summary>
    /// Creates, for one cursor, the getters of the active outputs: element i is a <c>ValueGetter&lt;T&gt;</c> with T the
    /// raw type of <see cref="OutputColumns"/>[i] when <paramref name="isOutputActive"/>(i), else null. Read
    /// <paramref name="input"/> only inside the getters.
    /// </summary>
    public abstract Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive);

    /// <summary>The input column of a name, or <see cref="SchemaException"/> naming it and the columns there are.</summary>
    protected DataViewSchema.Column RequireColumn(string name) => SchemaChecks.Require(InputSchema, name);
}
