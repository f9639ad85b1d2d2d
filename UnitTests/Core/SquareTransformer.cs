[assembly: MLComponents.ModelComponent("Test.SquareTransformer", typeof(MLComponents.UnitTests.Core.SquareTransformer))]

namespace MLComponents.UnitTests.Core;

/// <summary>Test component: Squares = Features² element-wise; saveable so model round trips can use it.</summary>
public sealed class SquareTransformer : RowToRowTransformerBase
{
    public override string ComponentTypeId => "Test.SquareTransformer";

    public override void Save(ModelSaveContext ctx) => ctx.Options["input"] = "Features";

    public static SquareTransformer Load(ModelLoadContext ctx) =>
        ctx.GetOption<string>("input") == "Features" ? new SquareTransformer() : throw new ModelFormatException(ctx.EntryPath, "bad input");

    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly DataViewSchema.Column _in;

        public Mapper(DataViewSchema schema) : base(schema)
        {
            _in = RequireColumn("Features", t => t is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(float), "a vector of Single");
            OutputColumns = [new OutputColumn("Squares", _in.Type)];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_in];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            var g = input.GetGetter<VBuffer<float>>(_in);
            VBuffer<float> src = default;
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                g(ref src);
                var v = src.GetValues();
                var buf = dst.GetBuffer() is { } b && b.Length >= v.Length ? b : new float[v.Length];
                for (int i = 0; i < v.Length; i++) buf[i] = v[i] * v[i];
                dst = new VBuffer<float>(v.Length, buf);
            })];
        }
    }
}
