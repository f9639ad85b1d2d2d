using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;

[assembly: LoadableComponent(typeof(MLComponents.PositionFeaturiserTransformer))]

namespace MLComponents;

/// <summary>
/// Outputs a position-encoding scheme's per-row tensors (see <see cref="PositionFeature"/>) for a token-id column; only
/// the number of ids T of a row matters. Learned schemes use their seeded initial values (the values a Transformer
/// with the same seed would start from), which are saved with the model.
/// </summary>
public sealed class PositionFeaturiserTransformer : ComponentTransformer<PositionFeaturiserTransformer>, ILoadableComponent<PositionFeaturiserTransformer>
{
    /// <inheritdoc />
    public static ComponentSignature Signature { get; } = new("MLC.PositionFeaturiser", "MLCPOSFT");

    private readonly PositionSource _source;

    internal PositionFeaturiserTransformer(IHostEnvironment env, string output, string input, PositionFeature feature, PositionSource source)
        : base(env)
    {
        ArgumentException.ThrowIfNullOrEmpty(output, "outputColumnName");
        ArgumentException.ThrowIfNullOrEmpty(input, "inputColumnName");
        if (!Enum.IsDefined(feature)) throw new ArgumentException($"Option 'feature' has undefined value {feature}.", nameof(feature));
        bool supported = feature switch
        {
            PositionFeature.Encodings => source.HasAbsolute,
            PositionFeature.Rotations => source.HasRotation,
            PositionFeature.RelativeBias => source.HasBias,
            PositionFeature.RelativeDistances => source.HasDistances,
            _ => source.HasRelativeEncodings,
        };
        if (!supported)
            throw new ArgumentException($"Scheme '{source.Scheme.Kind}' does not provide {feature}; " +
                "absolute schemes (none, sinusoidal, learned) give Encodings, rotary ones (rope, xpos, sinusoidal) Rotations, " +
                "alibi/t5/fire/scaled RelativeBias, shaw/t5/scaled/fire RelativeDistances, scaled RelativeEncodings.", "scheme");
        OutputColumnName = output;
        InputColumnName = input;
        Feature = feature;
        _source = source;
    }

    /// <summary>The column produced.</summary>
    public string OutputColumnName { get; }

    /// <summary>The token-id column read.</summary>
    public string InputColumnName { get; }

    /// <summary>What is output.</summary>
    public PositionFeature Feature { get; }

    /// <summary>The scheme.</summary>
    public PositionEncoding Scheme => _source.Scheme;

    /// <summary>Width of one position's row for <see cref="PositionFeature.Encodings"/> and <see cref="PositionFeature.Rotations"/> (0 otherwise).</summary>
    public int RowWidth => Feature switch
    {
        PositionFeature.Encodings => _source.AbsoluteWidth,
        PositionFeature.Rotations => 2 * _source.Pairs,
        _ => 0,
    };

    /// <summary>Number of values the column holds for a row of <paramref name="length"/> tokens.</summary>
    public long OutputLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long t = length;
        return Feature switch
        {
            PositionFeature.Encodings => t * _source.AbsoluteWidth,
            PositionFeature.Rotations => t * 2 * _source.Pairs,
            PositionFeature.RelativeBias => _source.BiasHeads * t * t,
            PositionFeature.RelativeDistances => t * t,
            _ => t * t * _source.RelativeWidth,
        };
    }

    /// <summary>The output for a row of <paramref name="length"/> tokens, exactly as the column holds it.</summary>
    /// <exception cref="ArgumentException">The row would hold more than <see cref="FeaturiserLimits.MaxValuesPerRow"/> values.</exception>
    public float[] Compute(int length)
    {
        FeaturiserLimits.CheckRow(OutputLength(length), length, Feature.ToString());
        // Not every scheme's inspection API accepts length 0 (the scaled scheme's tables do not), and the answer is known.
        if (length == 0) return [];
        switch (Feature)
        {
            case PositionFeature.Encodings: return _source.Absolute(length);
            case PositionFeature.Rotations:
            {
                int p = _source.Pairs;
                float[] cos = new float[length * p], sin = new float[length * p];
                _source.Rotation(length, cos, sin, new int[p], new int[p]);
                var result = new float[2 * length * p];
                for (int n = 0; n < length * p; n++)
                {
                    result[2 * n] = cos[n];
                    result[(2 * n) + 1] = sin[n];
                }
                return result;
            }
            case PositionFeature.RelativeBias: return _source.Bias(length);
            case PositionFeature.RelativeDistances: return _source.Distances(length);
            default: return _source.RelativeEncodings(length);
        }
    }

    /// <inheritdoc />
    protected override void SaveComponent(ComponentSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Options["outputColumnName"] = OutputColumnName;
        ctx.Options["inputColumnName"] = InputColumnName;
        ctx.Options["feature"] = Feature.ToString();
        _source.Save(ctx);
    }

    /// <summary>Rebuilds a saved transformer.</summary>
    /// <exception cref="ModelFormatException">An option or a learned tensor is missing or invalid.</exception>
    public static PositionFeaturiserTransformer Load(IHostEnvironment env, ComponentLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        string f = ctx.GetOption<string>("feature");
        if (!Enum.TryParse<PositionFeature>(f, out var feature) || !Enum.IsDefined(feature))
            throw ctx.Fail(ComponentLoadContext.OptionsEntry, $"option 'feature' has unknown value '{f}'");
        var source = PositionSource.Load(ctx);
        try { return new PositionFeaturiserTransformer(env, ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"), feature, source); }
        catch (ArgumentException e) { throw ctx.Fail(ComponentLoadContext.OptionsEntry, e.Message, e); }
    }

    /// <inheritdoc />
    protected override RowMapper CreateRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly PositionFeaturiserTransformer _parent;
        private readonly DataViewSchema.Column _input;

        public Mapper(PositionFeaturiserTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _input = TokenIdColumn.Require(schema, parent.InputColumnName);
            int width = parent.RowWidth;
            OutputColumns = [new OutputColumn(parent.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single),
                width > 0 ? TokenIdColumn.RowWidth(width) : null)];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (!isOutputActive(0)) return [null];
            var get = input.GetGetter<VBuffer<int>>(_input);
            VBuffer<int> ids = default;
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                get(ref ids);
                float[] values;
                try { values = _parent.Compute(ids.Length); }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"Column '{_input.Name}', row {input.Position}: {ids.Length} tokens: {e.Message}", e);
                }
                dst = new VBuffer<float>(values.Length, values);
            })];
        }
    }
}
