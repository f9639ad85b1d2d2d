[assembly: MLComponents.ModelComponent(MLComponents.SoftmaxRegressionTransformer.TypeId, typeof(MLComponents.SoftmaxRegressionTransformer))]

namespace MLComponents;

/// <summary>
/// A fitted softmax regression: Score = softmax(W x + b) (float vector of the class count, element c for key c + 1) and
/// PredictedLabel = the key of the largest score (first on ties), annotated with the training label's KeyValues.
/// Scores are computed in double from the float32 weights that are saved, so a reloaded model scores identically.
/// </summary>
public sealed class SoftmaxRegressionTransformer : RowToRowTransformerBase
{
    internal const string TypeId = "SoftmaxRegression";

    /// <summary>Name of the probabilities column.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>Name of the predicted key column.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    private readonly float[] _weights;
    private readonly float[] _bias;
    private readonly LabelKeyValues? _keyValues;

    internal SoftmaxRegressionTransformer(string featureColumnName, float[] weights, float[] bias, int classes, int features, LabelKeyValues? keyValues)
    {
        FeatureColumnName = featureColumnName;
        _weights = weights;
        _bias = bias;
        ClassCount = classes;
        FeatureCount = features;
        _keyValues = keyValues;
    }

    /// <summary>The feature column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Number of classes k.</summary>
    public int ClassCount { get; }

    /// <summary>Number of features d.</summary>
    public int FeatureCount { get; }

    /// <summary>A copy of the weights, row-major [k, d] (row c for key c + 1).</summary>
    public float[] GetWeights() => (float[])_weights.Clone();

    /// <summary>A copy of the biases [k].</summary>
    public float[] GetBiases() => (float[])_bias.Clone();

    /// <inheritdoc />
    public override string ComponentTypeId => TypeId;

    /// <summary>Class probabilities of one feature vector, exactly as the Score column holds them.</summary>
    public float[] Predict(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount) throw new ArgumentException($"{features.Length} features, {FeatureCount} expected.", nameof(features));
        var p = new float[ClassCount];
        Score(features, new double[ClassCount], p);
        return p;
    }

    private void Score(ReadOnlySpan<float> x, double[] z, Span<float> probabilities)
    {
        int d = FeatureCount;
        double max = double.NegativeInfinity;
        for (int c = 0; c < ClassCount; c++)
        {
            double s = _bias[c];
            var w = _weights.AsSpan(c * d, d);
            for (int j = 0; j < d; j++) s += (double)w[j] * x[j];
            z[c] = s;
            max = Math.Max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < ClassCount; c++) sum += z[c] = Math.Exp(z[c] - max);
        for (int c = 0; c < ClassCount; c++) probabilities[c] = (float)(z[c] / sum);
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Options["featureColumnName"] = FeatureColumnName;
        ctx.Options["classes"] = ClassCount;
        ctx.Options["features"] = FeatureCount;
        ctx.AddTensor("weights", _weights, ClassCount, FeatureCount);
        ctx.AddTensor("bias", _bias, ClassCount);
        _keyValues?.Save(ctx, "keyValues");
    }

    /// <summary>Rebuilds a saved model.</summary>
    /// <exception cref="ModelFormatException">An option or tensor is missing or has the wrong shape.</exception>
    public static SoftmaxRegressionTransformer Load(ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        int k = ctx.GetOption<int>("classes"), d = ctx.GetOption<int>("features");
        if (k < 1 || d < 1) throw new ModelFormatException(ctx.EntryPath, $"options 'classes' = {k} and 'features' = {d} must be positive");
        var keyValues = LabelKeyValues.Load(ctx, "keyValues");
        if (keyValues is not null && keyValues.Values.Length != k)
            throw new ModelFormatException(ctx.EntryPath, $"text 'keyValues' has {keyValues.Values.Length} values for {k} classes");
        return new SoftmaxRegressionTransformer(ctx.GetOption<string>("featureColumnName"), ctx.GetFloatTensor("weights", k, d),
            ctx.GetFloatTensor("bias", k), k, d, keyValues);
    }

    internal static DataViewSchema.Column RequireFeatures(DataViewSchema schema, string name)
    {
        var col = schema[name];
        if (col.Type is not VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType n } || n.RawType != typeof(float))
            throw SchemaException.WrongType(name, "a fixed-size vector of Single (e.g. the output of Pool)", col.Type);
        return col;
    }

    /// <inheritdoc />
    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly SoftmaxRegressionTransformer _parent;
        private readonly DataViewSchema.Column _features;

        public Mapper(SoftmaxRegressionTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _features = RequireFeatures(schema, parent.FeatureColumnName);
            int size = ((VectorDataViewType)_features.Type).Size;
            if (size != parent.FeatureCount)
                throw SchemaException.WrongType(_features.Name, $"a vector of {parent.FeatureCount} Single (as at training)", _features.Type);
            OutputColumns =
            [
                new OutputColumn(ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, parent.ClassCount)),
                new OutputColumn(PredictedLabelColumnName, new KeyDataViewType((ulong)parent.ClassCount), parent._keyValues?.ToAnnotations()),
            ];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_features];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            int k = _parent.ClassCount;
            var get = input.GetGetter<VBuffer<float>>(_features);
            VBuffer<float> x = default;
            var z = new double[k];
            var p = new float[k];
            long scored = -1;
            // Score and PredictedLabel share one computation per row.
            void Ensure()
            {
                if (scored == input.Position) return;
                get(ref x);
                var v = x.GetValues();
                if (v.Length != _parent.FeatureCount)
                    throw new InvalidDataException($"Column '{_features.Name}', row {input.Position}: {v.Length} features, {_parent.FeatureCount} expected.");
                _parent.Score(v, z, p);
                scored = input.Position;
            }
            var getters = new Delegate?[2];
            if (isOutputActive(0))
                getters[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    Ensure();
                    var buf = VBufferUtils.Rent(dst, k);
                    p.CopyTo(buf, 0);
                    dst = new VBuffer<float>(k, buf);
                });
            if (isOutputActive(1))
                getters[1] = (ValueGetter<uint>)((ref uint dst) =>
                {
                    Ensure();
                    int best = 0;
                    for (int c = 1; c < k; c++) if (p[c] > p[best]) best = c;
                    dst = (uint)best + 1;
                });
            return getters;
        }
    }
}
