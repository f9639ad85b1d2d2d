namespace MLComponents;

/// <summary>
/// Fits multinomial logistic regression (see <see cref="SoftmaxRegressionCatalogExtensions.SoftmaxRegression(MulticlassClassificationCatalog.MulticlassClassificationTrainers, string, string, double, int)"/>).
/// Fit reads the whole feature matrix into memory once, then runs L-BFGS over it.
/// </summary>
public sealed class SoftmaxRegressionTrainer : IEstimator<SoftmaxRegressionTransformer>
{
    private readonly SoftmaxRegressionOptions _options;

    internal SoftmaxRegressionTrainer(SoftmaxRegressionOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>Iterations the last <see cref="Fit"/> ran.</summary>
    public int LastIterations { get; private set; }

    /// <summary>Trains.</summary>
    /// <exception cref="SchemaException">The label is not a key or the features not a fixed-size float vector.</exception>
    /// <exception cref="InvalidDataException">A feature is NaN or infinite (naming column and row), or no row has a label.</exception>
    public SoftmaxRegressionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var label = input.Schema[_options.LabelColumnName];
        if (label.Type is not KeyDataViewType key || key.Count == 0 || key.Count > 100_000)
            throw SchemaException.WrongType(label.Name, "a key with 1..100000 classes (map the label with MapValueToKey)", label.Type);
        var features = SoftmaxRegressionTransformer.RequireFeatures(input.Schema, _options.FeatureColumnName);
        int k = (int)key.Count, d = ((VectorDataViewType)features.Type).Size;

        var xs = new List<double>();
        var ys = new List<int>();
        using (var cursor = input.GetRowCursor([label, features]))
        {
            var getLabel = cursor.GetGetter<uint>(label);
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            uint y = 0;
            VBuffer<float> x = default;
            while (cursor.MoveNext())
            {
                getLabel(ref y);
                if (y == 0) continue;
                getFeatures(ref x);
                var v = x.GetValues();
                if (v.Length != d)
                    throw new InvalidDataException($"Column '{features.Name}', row {cursor.Position}: {v.Length} features, {d} expected.");
                for (int j = 0; j < d; j++)
                {
                    if (!float.IsFinite(v[j]))
                        throw new InvalidDataException($"Column '{features.Name}', row {cursor.Position}: feature {j} is {v[j]}; features must be finite.");
                    xs.Add(v[j]);
                }
                ys.Add((int)y - 1);
            }
        }
        if (ys.Count == 0) throw new InvalidDataException($"No row has a label in column '{label.Name}' (all keys are 0, missing).");

        var objective = new SoftmaxObjective([.. xs], [.. ys], d, k, _options.L2Regularization);
        var theta = new double[(k * d) + k];
        LastIterations = Lbfgs.Minimize(objective.Evaluate, theta, _options.MaximumNumberOfIterations, _options.OptimizationTolerance, _options.HistorySize);
        var weights = new float[k * d];
        var bias = new float[k];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)theta[i];
        for (int c = 0; c < k; c++) bias[c] = (float)theta[(k * d) + c];
        return new SoftmaxRegressionTransformer(_options.FeatureColumnName, weights, bias, k, d, LabelKeyValues.From(label));
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var label = inputSchema.GetColumn(_options.LabelColumnName);
        if (!label.IsKey || label.Kind != SchemaShape.VectorKind.Scalar)
            throw new SchemaException($"Column '{label.Name}' must be a key (map the label with MapValueToKey), got {label}.", label.Name);
        var f = inputSchema.GetColumn(_options.FeatureColumnName);
        if (f.Kind != SchemaShape.VectorKind.Vector || f.IsKey || f.ItemType.RawType != typeof(float))
            throw new SchemaException($"Column '{f.Name}' must be a fixed-size vector of Single, got {f}.", f.Name);
        return inputSchema.WithColumns(
            new SchemaShape.Column(SoftmaxRegressionTransformer.ScoreColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false),
            new SchemaShape.Column(SoftmaxRegressionTransformer.PredictedLabelColumnName, SchemaShape.VectorKind.Scalar, NumberDataViewType.UInt32, true));
    }
}
