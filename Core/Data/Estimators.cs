namespace MLComponents;

/// <summary>A fitted pipeline step: maps one data view to another, lazily (ML.NET's ITransformer).</summary>
public interface ITransformer : ICanSaveModel
{
    /// <summary>True when each output row depends only on the matching input row.</summary>
    bool IsRowToRowMapper { get; }

    /// <summary>The output schema for an input schema; throws <see cref="SchemaException"/> naming a bad column.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Returns a lazy view: rows are computed as cursors pull them.</summary>
    IDataView Transform(IDataView input);
}

/// <summary>A pipeline step that learns from data (ML.NET's IEstimator).</summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Trains (eagerly) and returns the fitted transformer.</summary>
    TTransformer Fit(IDataView input);

    /// <summary>The output schema shape for an input shape, without data.</summary>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);
}
