using Microsoft.ML;

namespace MLComponents.MLNet;

/// <summary>
/// An estimator with nothing to learn (ML.NET's TrivialEstimator in role): <see cref="Fit"/> checks the input schema
/// and returns the transformer it was built with.
/// </summary>
/// <typeparam name="TTransformer">The transformer Fit returns.</typeparam>
public abstract class FixedEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : class, ITransformer
{
    /// <summary>Wraps the transformer.</summary>
    protected FixedEstimator(TTransformer transformer)
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
