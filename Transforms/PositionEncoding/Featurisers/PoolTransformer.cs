using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;

[assembly: LoadableComponent(typeof(MLComponents.PoolTransformer))]

namespace MLComponents;

/// <summary>How Pool reduces the T rows of a [T, W] vector to one row of W.</summary>
public enum PoolMode
{
    /// <summary>Mean over the T rows.</summary>
    Mean,

    /// <summary>Per-dimension maximum over the T rows.</summary>
    Max,

    /// <summary>Row 0 (the CLS position when TokenizeToIds adds one).</summary>
    First,
}

/// <summary>
/// Reduces a variable-length [T, W] float vector (W from the input column's "RowWidth" annotation, as EmbedTokens and the
/// Encodings/Rotations featurisers write it) to a fixed-size float vector of W, so a plain linear trainer can use it.
/// A row with T = 0 gives zeros in every mode. Nothing is learned; saved as its options.
/// </summary>
public sealed class PoolTransformer : ComponentTransformer<PoolTransformer>, ILoadableComponent<PoolTransformer>
{
    /// <inheritdoc />
    public static ComponentSignature Signature { get; } = new("MLC.Pool", "MLCPOOL ");

    internal PoolTransformer(IHostEnvironment env, string output, string input, PoolMode mode)
        : base(env)
    {
        ArgumentException.ThrowIfNullOrEmpty(output, "outputColumnName");
        ArgumentException.ThrowIfNullOrEmpty(input, "inputColumnName");
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"Option 'mode' has undefined value {mode}.", nameof(mode));
        OutputColumnName = output;
        InputColumnName = input;
        Mode = mode;
    }

    /// <summary>The fixed-size column produced.</summary>
    public string OutputColumnName { get; }

    /// <summary>The [T, W] column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The reduction.</summary>
    public PoolMode Mode { get; }

    /// <summary>Pools <paramref name="rows"/> ([T, <paramref name="width"/>] row-major) into <paramref name="destination"/> (width values).</summary>
    public static void PoolRows(ReadOnlySpan<float> rows, int width, PoolMode mode, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (rows.Length % width != 0) throw new ArgumentException($"{rows.Length} values are not a whole number of rows of {width}.", nameof(rows));
        int t = rows.Length / width;
        var dst = destination[..width];
        if (t == 0)
        {
            dst.Clear();
            return;
        }
        rows[..width].CopyTo(dst);
        if (mode == PoolMode.First) return;
        for (int i = 1; i < t; i++)
        {
            var row = rows.Slice(i * width, width);
            if (mode == PoolMode.Max) System.Numerics.Tensors.TensorPrimitives.Max(dst, row, dst);
            else System.Numerics.Tensors.TensorPrimitives.Add(dst, row, dst);
        }
        if (mode == PoolMode.Mean) System.Numerics.Tensors.TensorPrimitives.Multiply(dst, 1f / t, dst);
    }

    /// <inheritdoc />
    protected override void SaveComponent(ComponentSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Options["outputColumnName"] = OutputColumnName;
        ctx.Options["inputColumnName"] = InputColumnName;
        ctx.Options["mode"] = Mode.ToString();
    }

    /// <summary>Rebuilds a saved transformer.</summary>
    /// <exception cref="ModelFormatException">An option is missing or invalid.</exception>
    public static PoolTransformer Load(IHostEnvironment env, ComponentLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        string m = ctx.GetOption<string>("mode");
        if (!Enum.TryParse<PoolMode>(m, out var mode) || !Enum.IsDefined(mode))
            throw ctx.Fail(ComponentLoadContext.OptionsEntry, $"option 'mode' has unknown value '{m}'");
        return new PoolTransformer(env, ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"), mode);
    }

    /// <inheritdoc />
    protected override RowMapper CreateRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly PoolTransformer _parent;
        private readonly DataViewSchema.Column _input;
        private readonly int _width;

        public Mapper(PoolTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _input = SchemaChecks.Require(schema, parent.InputColumnName);
            if (_input.Type is not VectorDataViewType { ItemType: NumberDataViewType n } || n.RawType != typeof(float))
                throw SchemaException.WrongType(_input.Name, "a vector of Single [T, W] (the output of EmbedTokens)", _input.Type);
            int width = TokenIdColumn.ReadRowWidth(_input) ?? throw new SchemaException(
                $"Column '{_input.Name}' has no Int32 '{TokenIdColumn.RowWidthKind}' annotation, so Pool cannot tell its row width; " +
                "pool the output of EmbedTokens or of the Encodings/Rotations featurisers.", _input.Name);
            if (width <= 0) throw new SchemaException($"Column '{_input.Name}' has a non-positive row width {width}.", _input.Name);
            _width = width;
            OutputColumns = [new OutputColumn(parent.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, width))];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (!isOutputActive(0)) return [null];
            var get = input.GetGetter<VBuffer<float>>(_input);
            VBuffer<float> rows = default;
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                get(ref rows);
                var values = rows.GetValues();
                if (values.Length % _width != 0)
                    throw new InvalidDataException($"Column '{_input.Name}', row {input.Position}: {values.Length} values are not a whole number of rows of {_width}.");
                var editor = VBufferEditor.Create(ref dst, _width);
                PoolRows(values, _width, _parent.Mode, editor.Values);
                dst = editor.Commit();
            })];
        }
    }
}
