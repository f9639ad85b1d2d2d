using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;

[assembly: LoadableComponent(typeof(MLComponents.EmbedTokensTransformer))]

namespace MLComponents;

/// <summary>
/// Turns a row of T token ids into T position-aware vectors: a hashed token vector
/// (<see cref="HashedTokenEmbedding"/>, width D, standard-normal entries) combined with the scheme's encoding of its
/// position (<see cref="EmbedCombine"/>). Output: a variable-length float vector [T, W] row-major (row t = token t),
/// W = D, or D + w for Concat, with W in the column's "RowWidth" annotation (Pool reads it). The None scheme gives the
/// token vectors alone (the order-blind control). Saved: options, seed and any learned scheme values.
/// </summary>
public sealed class EmbedTokensTransformer : ComponentTransformer<EmbedTokensTransformer>, ILoadableComponent<EmbedTokensTransformer>
{
    /// <inheritdoc />
    public static ComponentSignature Signature { get; } = new("MLC.EmbedTokens", "MLCEMBTK");

    private readonly PositionSource _source;

    internal EmbedTokensTransformer(IHostEnvironment env, string output, string input, PositionSource source, EmbedCombine? combine)
        : base(env)
    {
        ArgumentException.ThrowIfNullOrEmpty(output, "outputColumnName");
        ArgumentException.ThrowIfNullOrEmpty(input, "inputColumnName");
        _source = source;
        var c = combine ?? (source.HasRotation ? EmbedCombine.Rotate : EmbedCombine.Add);
        if (!Enum.IsDefined(c)) throw new ArgumentException($"Option 'combine' has undefined value {c}.", nameof(combine));
        if (source.Scheme is not NoPositionEncoding)
        {
            bool ok = c switch
            {
                EmbedCombine.Rotate => source.HasRotation,
                EmbedCombine.Add => source.HasAbsolute && source.AbsoluteWidth == source.Dimension,
                _ => source.HasAbsolute,
            };
            if (!ok)
                throw new ArgumentException($"Scheme '{source.Scheme.Kind}' cannot be combined with {c}: Rotate needs rope, xpos or sinusoidal " +
                    "(combine Add); Add needs an absolute scheme of the full width (sinusoidal with combine Add, learned); Concat needs an " +
                    "absolute scheme. Relative schemes act inside attention: use them with the Transformer trainer or the RelativeBias featuriser.",
                    nameof(combine));
        }
        OutputColumnName = output;
        InputColumnName = input;
        Combine = c;
    }

    /// <summary>The column produced.</summary>
    public string OutputColumnName { get; }

    /// <summary>The token-id column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The scheme.</summary>
    public PositionEncoding Scheme => _source.Scheme;

    /// <summary>How token and position are joined (ignored by the None scheme).</summary>
    public EmbedCombine Combine { get; }

    /// <summary>Token vector width D.</summary>
    public int Dimension => _source.Dimension;

    /// <summary>Seed of the hashing projection (and of a learned scheme's initial values).</summary>
    public int Seed => _source.Seed;

    /// <summary>Width W of one output row.</summary>
    public int RowWidth => Combine == EmbedCombine.Concat && Scheme is not NoPositionEncoding ? Dimension + _source.AbsoluteWidth : Dimension;

    /// <summary>The output for one row of ids, exactly as the column holds it ([T, <see cref="RowWidth"/>]).</summary>
    /// <exception cref="ArgumentException">An id is negative, or the row would hold more than <see cref="FeaturiserLimits.MaxValuesPerRow"/> values.</exception>
    public float[] Embed(ReadOnlySpan<int> ids)
    {
        FeaturiserLimits.CheckRow((long)ids.Length * RowWidth, ids.Length, "EmbedTokens");
        foreach (int id in ids)
            if (id < 0) throw new ArgumentException($"Token id {id} is negative.", nameof(ids));
        var result = new float[ids.Length * RowWidth];
        new Embedder(this).Write(ids, result);
        return result;
    }

    /// <inheritdoc />
    protected override void SaveComponent(ComponentSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Options["outputColumnName"] = OutputColumnName;
        ctx.Options["inputColumnName"] = InputColumnName;
        ctx.Options["combine"] = Combine.ToString();
        _source.Save(ctx);
    }

    /// <summary>Rebuilds a saved transformer.</summary>
    /// <exception cref="ModelFormatException">An option or a learned tensor is missing or invalid.</exception>
    public static EmbedTokensTransformer Load(IHostEnvironment env, ComponentLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        string c = ctx.GetOption<string>("combine");
        if (!Enum.TryParse<EmbedCombine>(c, out var combine) || !Enum.IsDefined(combine))
            throw ctx.Fail(ComponentLoadContext.OptionsEntry, $"option 'combine' has unknown value '{c}'");
        var source = PositionSource.Load(ctx);
        try { return new EmbedTokensTransformer(env, ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"), source, combine); }
        catch (ArgumentException e) { throw ctx.Fail(ComponentLoadContext.OptionsEntry, e.Message, e); }
    }

    /// <inheritdoc />
    protected override RowMapper CreateRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>Per-cursor state: position tables of the last length seen, reused while rows keep that length.</summary>
    private sealed class Embedder(EmbedTokensTransformer parent)
    {
        // Hashing costs a log, a root and a sine/cosine per pair; TokenizeToIds gives frequent words small ids, so
        // remembering the vectors of ids below this bound saves nearly all of that work for a bounded memory.
        private const int CachedIds = 4096;

        private readonly float[]?[] _tokenCache = new float[]?[CachedIds];
        private int _length = -1;
        private float[] _absolute = [], _cos = [], _sin = [];
        private readonly int[] _first = new int[parent._source.Pairs], _second = new int[parent._source.Pairs];

        public void Write(ReadOnlySpan<int> ids, Span<float> output)
        {
            var source = parent._source;
            int d = parent.Dimension, width = parent.RowWidth, t = ids.Length;
            bool none = parent.Scheme is NoPositionEncoding;
            if (!none && t != _length) Prepare(t);
            for (int i = 0; i < t; i++)
            {
                var row = output.Slice(i * width, width);
                var token = row[..d];
                int id = ids[i];
                if (id < CachedIds)
                {
                    var cached = _tokenCache[id];
                    if (cached is null)
                    {
                        cached = new float[d];
                        HashedTokenEmbedding.Write(parent.Seed, id, cached);
                        _tokenCache[id] = cached;
                    }
                    cached.CopyTo(token);
                }
                else
                {
                    HashedTokenEmbedding.Write(parent.Seed, id, token);
                }
                if (none) continue;
                switch (parent.Combine)
                {
                    case EmbedCombine.Add:
                        System.Numerics.Tensors.TensorPrimitives.Add(token, _absolute.AsSpan(i * d, d), token);
                        break;
                    case EmbedCombine.Concat:
                        int w = source.AbsoluteWidth;
                        _absolute.AsSpan(i * w, w).CopyTo(row[d..]);
                        break;
                    default:
                        int pairs = _first.Length;
                        for (int m = 0; m < pairs; m++)
                        {
                            float c = _cos[(i * pairs) + m], s = _sin[(i * pairs) + m];
                            float a = token[_first[m]], b = token[_second[m]];
                            token[_first[m]] = (c * a) - (s * b);
                            token[_second[m]] = (s * a) + (c * b);
                        }
                        break;
                }
            }
        }

        private void Prepare(int length)
        {
            var source = parent._source;
            if (parent.Combine == EmbedCombine.Rotate)
            {
                int p = _first.Length;
                _cos = new float[length * p];
                _sin = new float[length * p];
                source.Rotation(length, _cos, _sin, _first, _second);
            }
            else
            {
                _absolute = source.Absolute(length);
            }
            _length = length;
        }
    }

    private sealed class Mapper : RowMapper
    {
        private readonly EmbedTokensTransformer _parent;
        private readonly DataViewSchema.Column _input;

        public Mapper(EmbedTokensTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _input = TokenIdColumn.Require(schema, parent.InputColumnName);
            OutputColumns = [new OutputColumn(parent.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single), TokenIdColumn.RowWidth(parent.RowWidth))];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (!isOutputActive(0)) return [null];
            var get = input.GetGetter<VBuffer<int>>(_input);
            var embedder = new Embedder(_parent);
            VBuffer<int> ids = default;
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                get(ref ids);
                var values = ids.GetValues();
                foreach (int id in values)
                    if (id < 0) throw new InvalidDataException($"Column '{_input.Name}', row {input.Position}: token id {id} is negative.");
                try
                {
                    FeaturiserLimits.CheckRow((long)values.Length * _parent.RowWidth, values.Length, "EmbedTokens");
                    var editor = VBufferEditor.Create(ref dst, values.Length * _parent.RowWidth);
                    embedder.Write(values, editor.Values);
                    dst = editor.Commit();
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"Column '{_input.Name}', row {input.Position}: {values.Length} tokens: {e.Message}", e);
                }
            })];
        }
    }
}
