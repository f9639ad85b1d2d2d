using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLComponents.MLNet;

/// <summary>
/// Base of our row-to-row transformers (tokenisers, featurisers, encoders): an ML.NET <see cref="RowToRowTransformerBase"/>
/// whose columns come from a <see cref="RowMapper"/> and whose saved form is what <see cref="SaveComponent"/> writes.
/// ML.NET's own machinery does the rest: lazy <c>Transform</c>, cursor sets, <c>PredictionEngine</c>, chains and
/// <c>Model.Save</c>/<c>Model.Load</c> (through <see cref="LoadableComponentAttribute"/>).
/// </summary>
/// <typeparam name="TSelf">The derived transformer type.</typeparam>
public abstract class ComponentTransformer<TSelf> : RowToRowTransformerBase
    where TSelf : ComponentTransformer<TSelf>, ILoadableComponent<TSelf>
{
    /// <summary>Registers the transformer with the MLContext it is created or loaded in.</summary>
    protected ComponentTransformer(IHostEnvironment env)
        : base((env ?? throw new ArgumentNullException(nameof(env))).Register(TSelf.Signature.LoaderSignature))
    {
    }

    /// <summary>The MLContext this transformer belongs to (as ML.NET's host environment).</summary>
    protected IHostEnvironment Environment => Host;

    /// <summary>Builds (and validates) the mapper for an input schema; throws <see cref="SchemaException"/> on a bad column.</summary>
    protected abstract RowMapper CreateRowMapper(DataViewSchema inputSchema);

    /// <summary>Writes options, tensors and texts; <see cref="ILoadableComponent{TSelf}.Load"/> reads them back.</summary>
    protected abstract void SaveComponent(ComponentSaveContext ctx);

    /// <summary>ML.NET's save hook (internal to ML.NET); use <c>mlContext.Model.Save</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override void SaveModel(ModelSaveContext ctx) => ComponentStore.Save(ctx, TSelf.Signature, typeof(TSelf), SaveComponent);

    /// <summary>ML.NET's mapper hook (internal to ML.NET).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override IRowMapper MakeRowMapper(DataViewSchema schema) => new MapperAdapter(this, schema, CreateRowMapper(schema));

    private sealed class MapperAdapter : MapperBase
    {
        private readonly ComponentTransformer<TSelf> _owner;
        private readonly RowMapper _mapper;

        public MapperAdapter(ComponentTransformer<TSelf> parent, DataViewSchema schema, RowMapper mapper)
            : base(parent.Host, schema, parent)
        {
            _owner = parent;
            _mapper = mapper;
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            [.. _mapper.OutputColumns.Select(c => new DataViewSchema.DetachedColumn(c.Name, c.Type, c.Annotations))];

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var getters = _mapper.CreateGetters(input, activeOutput);
            if (getters.Length != _mapper.OutputColumns.Count)
                throw new InvalidOperationException($"{typeof(TSelf).Name}: {getters.Length} getters for {_mapper.OutputColumns.Count} output columns.");
            return getters!;
        }

        // CreateGetters above builds every getter at once (outputs may share one computation per row).
        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer) =>
            throw new NotSupportedException();

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            var needed = new HashSet<int>();
            for (int i = 0; i < _mapper.OutputColumns.Count; i++)
            {
                if (activeOutput(i))
                    foreach (var c in _mapper.GetDependencies(i)) needed.Add(c.Index);
            }
            return needed.Contains;
        }

        public override void SaveModel(ModelSaveContext ctx) => _owner.SaveModel(ctx);
    }
}
