namespace MLComponents;

public sealed partial class ModelOperationsCatalog
{
    /// <summary>
    /// A single-example prediction engine for <paramref name="model"/> (not thread-safe; see
    /// <see cref="PredictionEngine{TSrc, TDst}"/>). Every member of <typeparamref name="TDst"/> must match an
    /// output column.
    /// </summary>
    /// <param name="model">A fitted, row-to-row model.</param>
    /// <param name="inputSchema">The schema the model was trained on (e.g. from Load); gives exact input types such as key counts.</param>
    /// <exception cref="SchemaException">A member of TDst has no output column, or a column of the wrong type.</exception>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model, DataViewSchema? inputSchema = null)
        where TSrc : class where TDst : class, new() =>
        new(model, inputSchema, ignoreMissingColumns: false, null, null);

    /// <summary>A prediction engine with explicit member-to-column mappings (ML.NET's overload).</summary>
    /// <param name="model">A fitted, row-to-row model.</param>
    /// <param name="ignoreMissingColumns">True to leave TDst members without an output column untouched.</param>
    /// <param name="inputSchemaDefinition">Mapping of TSrc members to input columns, or null for the default.</param>
    /// <param name="outputSchemaDefinition">Mapping of TDst members to output columns, or null for the default.</param>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model, bool ignoreMissingColumns,
        SchemaDefinition? inputSchemaDefinition = null, SchemaDefinition? outputSchemaDefinition = null)
        where TSrc : class where TDst : class, new() =>
        new(model, null, ignoreMissingColumns, inputSchemaDefinition, outputSchemaDefinition);
}
