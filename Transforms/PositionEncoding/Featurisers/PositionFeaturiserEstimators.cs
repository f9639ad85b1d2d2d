namespace MLComponents;

/// <summary>Estimator of a position featuriser: nothing to learn, Fit checks the schema (created by <c>ml.Transforms.PositionEncoding.*</c>).</summary>
public sealed class PositionFeaturiserEstimator : TrivialEstimator<PositionFeaturiserTransformer>
{
    internal PositionFeaturiserEstimator(PositionFeaturiserTransformer transformer) : base(transformer) { }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TokenIdColumn.RequireShape(inputSchema, Transformer.InputColumnName);
        return inputSchema.WithColumns(new SchemaShape.Column(Transformer.OutputColumnName, SchemaShape.VectorKind.VariableVector, NumberDataViewType.Single, false));
    }
}

/// <summary>Estimator of EmbedTokens: nothing to learn (the projection is a seeded hash), Fit checks the schema.</summary>
public sealed class EmbedTokensEstimator : TrivialEstimator<EmbedTokensTransformer>
{
    internal EmbedTokensEstimator(EmbedTokensTransformer transformer) : base(transformer) { }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TokenIdColumn.RequireShape(inputSchema, Transformer.InputColumnName);
        return inputSchema.WithColumns(new SchemaShape.Column(Transformer.OutputColumnName, SchemaShape.VectorKind.VariableVector, NumberDataViewType.Single, false));
    }
}

/// <summary>Estimator of Pool: nothing to learn, Fit checks the schema.</summary>
public sealed class PoolEstimator : TrivialEstimator<PoolTransformer>
{
    internal PoolEstimator(PoolTransformer transformer) : base(transformer) { }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = inputSchema.GetColumn(Transformer.InputColumnName);
        if (c.Kind == SchemaShape.VectorKind.Scalar || c.ItemType.RawType != typeof(float))
            throw new SchemaException($"Column '{c.Name}' must be a vector of Single [T, W], got {c}.", c.Name);
        return inputSchema.WithColumns(new SchemaShape.Column(Transformer.OutputColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false));
    }
}
