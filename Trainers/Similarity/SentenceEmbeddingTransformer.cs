using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;
using MLComponents.Engine;

[assembly: LoadableComponent(typeof(MLComponents.Trainers.SentenceEmbeddingTransformer))]

namespace MLComponents.Trainers;

/// <summary>
/// Adds a sentence-embedding column (vector of Single, size D) computed from a token-id column by a trained
/// encoder, optionally L2-normalised. Long inputs are truncated to MaxTokens, empty ones read as the padding id,
/// ids outside the vocabulary as the unknown id (see <see cref="SentenceEmbedder"/>). Thread-safe; lazy.
/// The encoder weights are saved with the transformer, so a saved pipeline does not need the model it came from.
/// </summary>
public sealed class SentenceEmbeddingTransformer : ComponentTransformer<SentenceEmbeddingTransformer>, ILoadableComponent<SentenceEmbeddingTransformer>, ISentenceEncoder
{
    /// <inheritdoc />
    public static ComponentSignature Signature { get; } = new("MLC.EmbedSentences", "MLCEMBST");

    private readonly EmbedderPool _pool;

    internal SentenceEmbeddingTransformer(IHostEnvironment env, string output, string input, TransformerEncoder encoder, Pooling pooling, bool normalize)
        : base(env)
    {
        ArgumentException.ThrowIfNullOrEmpty(output, "outputColumnName");
        ArgumentException.ThrowIfNullOrEmpty(input, "inputColumnName");
        OutputColumnName = output;
        InputColumnName = input;
        Encoder = encoder;
        Pooling = pooling;
        Normalize = normalize;
        _pool = new EmbedderPool(this);
    }

    /// <summary>The embedding column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>The token-id column read.</summary>
    public string InputColumnName { get; }

    /// <summary>True when embeddings are scaled to unit L2 norm.</summary>
    public bool Normalize { get; }

    /// <inheritdoc />
    public TransformerEncoder Encoder { get; }

    /// <inheritdoc />
    public Pooling Pooling { get; }

    /// <summary>Embedding width D.</summary>
    public int Dimension => Encoder.Config.ModelDimension;

    internal EmbedderPool Pool => _pool;

    /// <summary>The embedding of one token sequence into <paramref name="output"/> [D] (thread-safe).</summary>
    public void Embed(ReadOnlySpan<int> tokens, Span<float> output)
    {
        var e = _pool.Rent();
        try
        {
            e.Embed(tokens, output, Normalize);
        }
        finally
        {
            _pool.Return(e);
        }
    }

    /// <inheritdoc />
    protected override RowMapper CreateRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <inheritdoc />
    protected override void SaveComponent(ComponentSaveContext ctx)
    {
        ctx.Options["outputColumnName"] = OutputColumnName;
        ctx.Options["inputColumnName"] = InputColumnName;
        ctx.Options["normalize"] = Normalize;
        EncoderArchive.Save(ctx, Encoder, Pooling);
    }

    /// <summary>Rebuilds a saved transformer.</summary>
    public static SentenceEmbeddingTransformer Load(IHostEnvironment env, ComponentLoadContext ctx)
    {
        var (encoder, pooling) = EncoderArchive.Load(ctx);
        return new SentenceEmbeddingTransformer(env, ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"),
            encoder, pooling, ctx.GetOption<bool>("normalize"));
    }

    private sealed class Mapper : RowMapper
    {
        private readonly SentenceEmbeddingTransformer _parent;
        private readonly DataViewSchema.Column _input;

        public Mapper(SentenceEmbeddingTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _input = PairColumns.RequireTokens(schema, parent.InputColumnName);
            OutputColumns = [new OutputColumn(parent.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, parent.Dimension))];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (!isOutputActive(0))
            {
                return [null];
            }
            var get = input.GetGetter<VBuffer<int>>(_input);
            VBuffer<int> tokens = default;
            int d = _parent.Dimension;
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                get(ref tokens);
                var editor = VBufferEditor.Create(ref dst, d);
                try
                {
                    _parent.Embed(tokens.GetValues(), editor.Values);
                }
                catch (ArgumentException ex)
                {
                    throw new InvalidDataException($"Column '{_input.Name}', row {input.Position}: {ex.Message}", ex);
                }
                dst = editor.Commit();
            })];
        }
    }
}

/// <summary>The estimator of <c>ml.Transforms.Text.EmbedSentences</c> (nothing to learn: the encoder is already trained).</summary>
public sealed class SentenceEmbeddingEstimator : FixedEstimator<SentenceEmbeddingTransformer>
{
    internal SentenceEmbeddingEstimator(SentenceEmbeddingTransformer transformer) : base(transformer) { }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = SchemaChecks.Require(inputSchema, Transformer.InputColumnName);
        if (c.Kind == SchemaShape.Column.VectorKind.Scalar || c.ItemType.RawType != typeof(int))
        {
            throw SchemaException.WrongType(Transformer.InputColumnName, "a vector of Int32 token ids", c.ItemType);
        }
        return SchemaChecks.With(inputSchema, SchemaChecks.Column(Transformer.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false));
    }
}
