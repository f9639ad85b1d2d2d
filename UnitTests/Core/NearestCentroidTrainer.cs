[assembly: MLComponents.ModelComponent("Test.NearestCentroid", typeof(MLComponents.UnitTests.Core.NearestCentroidModel))]

namespace MLComponents.UnitTests.Core;

/// <summary>
/// A tiny multiclass trainer for pipeline tests, shaped like the real trainers: reads a key Label and a
/// float vector Features, outputs Score (softmax of -squared distance to each class centroid) and
/// PredictedLabel (a key carrying the training label names as KeyValues).
/// </summary>
internal sealed class NearestCentroidTrainer : IEstimator<NearestCentroidModel>
{
    public NearestCentroidModel Fit(IDataView input)
    {
        var label = input.Schema["Label"];
        var features = input.Schema["Features"];
        var key = (KeyDataViewType)label.Type;
        int k = (int)key.Count, d = ((VectorDataViewType)features.Type).Size;
        var sums = new double[k * d];
        var counts = new int[k];
        using (var cursor = input.GetRowCursor([label, features]))
        {
            var gl = cursor.GetGetter<uint>(label);
            var gf = cursor.GetGetter<VBuffer<float>>(features);
            uint y = 0;
            VBuffer<float> x = default;
            while (cursor.MoveNext())
            {
                gl(ref y);
                if (y == 0) continue;
                gf(ref x);
                counts[y - 1]++;
                for (int j = 0; j < d; j++) sums[(y - 1) * d + j] += x.GetValues()[j];
            }
        }
        var centroids = new float[k * d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++) centroids[c * d + j] = counts[c] == 0 ? 0 : (float)(sums[c * d + j] / counts[c]);
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.Annotations.GetValue(DataViewSchema.Annotations.KeyValuesKind, ref names);
        return new NearestCentroidModel(centroids, k, d, [.. names.DenseValues().Select(n => n.ToString())]);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema.WithColumns(
        new SchemaShape.Column("Score", SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false),
        new SchemaShape.Column("PredictedLabel", SchemaShape.VectorKind.Scalar, NumberDataViewType.UInt32, true));
}

public sealed class NearestCentroidModel : RowToRowTransformerBase
{
    private readonly float[] _centroids;
    private readonly int _k, _d;
    private readonly string[] _classNames;

    internal NearestCentroidModel(float[] centroids, int k, int d, string[] classNames)
    {
        _centroids = centroids; _k = k; _d = d; _classNames = classNames;
    }

    public override string ComponentTypeId => "Test.NearestCentroid";

    public override void Save(ModelSaveContext ctx)
    {
        ctx.AddTensor("centroids", _centroids, _k, _d);
        ctx.AddText("classes", _classNames);
    }

    public static NearestCentroidModel Load(ModelLoadContext ctx)
    {
        var shape = ctx.GetTensorShape("centroids");
        var classes = ctx.GetText("classes");
        if (shape.Length != 2 || shape[0] != classes.Count) throw new ModelFormatException(ctx.EntryPath, "centroids do not match classes");
        return new NearestCentroidModel(ctx.GetFloatTensor("centroids", shape), shape[0], shape[1], [.. classes]);
    }

    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly NearestCentroidModel _m;
        private readonly DataViewSchema.Column _features;

        public Mapper(NearestCentroidModel m, DataViewSchema schema) : base(schema)
        {
            _m = m;
            _features = RequireColumn("Features", t => t.Equals(new VectorDataViewType(NumberDataViewType.Single, m._d)), $"Vector<Single, {m._d}>");
            var keyValues = new DataViewSchema.Annotations.Builder().AddKeyValues(m._classNames).ToAnnotations();
            OutputColumns =
            [
                new OutputColumn("Score", new VectorDataViewType(NumberDataViewType.Single, m._k)),
                new OutputColumn("PredictedLabel", new KeyDataViewType((ulong)m._k), keyValues),
            ];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_features];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            var gf = input.GetGetter<VBuffer<float>>(_features);
            VBuffer<float> x = default;
            var probs = new float[_m._k];
            long computedAt = -1;
            // Score and PredictedLabel share one computation per row (the pattern RowMapper documents).
            void Compute()
            {
                if (computedAt == input.Position) return;
                gf(ref x);
                var v = x.GetValues();
                float max = float.NegativeInfinity;
                for (int c = 0; c < _m._k; c++)
                {
                    float dist = 0;
                    for (int j = 0; j < _m._d; j++) { float e = v[j] - _m._centroids[c * _m._d + j]; dist += e * e; }
                    probs[c] = -dist;
                    max = Math.Max(max, -dist);
                }
                float sum = 0;
                for (int c = 0; c < _m._k; c++) sum += probs[c] = MathF.Exp(probs[c] - max);
                for (int c = 0; c < _m._k; c++) probs[c] /= sum;
                computedAt = input.Position;
            }
            return
            [
                isOutputActive(0) ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> s) => { Compute(); VBufferUtils.CopyFrom<float>(probs, ref s); }) : null,
                isOutputActive(1) ? (ValueGetter<uint>)((ref uint p) =>
                {
                    Compute();
                    int best = 0;
                    for (int c = 1; c < _m._k; c++) if (probs[c] > probs[best]) best = c;
                    p = (uint)best + 1;
                }) : null,
            ];
        }
    }
}
