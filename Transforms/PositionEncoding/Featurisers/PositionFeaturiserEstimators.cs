using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>Estimator of a position featuriser: nothing to learn, Fit checks the schema (created by <c>ml.Transforms.PositionEncoding.*</c>).</summary>
public sealed class PositionFeaturiserEstimator : FixedEstimator<PositionFeaturiserTransformer>
{
    internal PositionFeaturiserEstimator(PositionFeaturiserTransformer transformer) : base(transformer) { }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TokenIdColumn.RequireShape(inputSchema, Transformer.InputColumnName);
        return SchemaChecks.With(inputSchema, SchemaChecks.Column(Transformer.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false));
    }
}

/// <summary>Estimator of EmbedTokens: nothing to learn (the projection is a seeded hash), Fit checks the schema.</summary>
public sealed class EmbedTokensEstimator : FixedEstimator<EmbedTokensTransformer>
{
    internal EmbedTokensEstimator(EmbedTokensTransformer transformer) : base(transformer) { }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TokenIdColumn.RequireShape(inputSchema, Transformer.InputColumnName);
        return SchemaChecks.With(inputSchema, SchemaChecks.Column(Transformer.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false));
    }
}

/// <summary>Estimator of Pool: nothing to learn, Fit checks the schema.</summary>
public sealed class PoolEstimator : FixedEstimator<PoolTransformer>
{
    internal PoolEstimator(PoolTransformer transformer) : base(transformer) { }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = SchemaChecks.Require(inputSchema, Transformer.InputColumnName);
        if (c.Kind == SchemaShape.Column.VectorKind.Scalar || c.ItemType.RawType != typeof(float))
            throw new SchemaException($"Column '{c.Name}' must be a vector of Single [T, W], got {c.ItemType}.", c.Name);
        return SchemaChecks.With(inputSchema, SchemaChecks.Column(Transformer.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
    }
}
