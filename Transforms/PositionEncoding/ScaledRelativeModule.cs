using System.Numerics.Tensors;

namespace MLComponents.Numerics;

/// <summary>
/// The encoding of d(i,j) = |i-j| + (i+j)/N without a sine per (i, j): with A = |i-j| omega and B = (i+j)/N omega,
/// sin(A+B) = sin A cos B + cos A sin B and cos(A+B) = cos A cos B - sin A sin B, from tables over j-i and i+j.
/// Both tables are laid out so that one query row i reads contiguous slices over j, so a whole row of encodings
/// is a handful of vector operations. The featuriser and the module both encode through <see cref="WriteRow"/>,
/// so they agree to the bit.
/// </summary>
internal sealed class ScaledRelativeTables
{
    private readonly double[] _omega;
    private readonly bool _interleaved;
    private float[] _sinA = [], _cosA = [], _sinB = [], _cosB = []; // [w/2, 2C-1]: A at j-i+C-1, B at i+j
    private int _capacity, _sequenceLength = -1;

    public ScaledRelativeTables(int width, double @base, SinusoidalLayout layout)
    {
        Width = width;
        _omega = SinusoidalMath.Frequencies(width, @base);
        _interleaved = layout == SinusoidalLayout.Interleaved;
    }

    public int Width { get; }

    /// <summary>Fills the tables for a padded length and a real length (cheap: O(T d')).</summary>
    public void Prepare(int length, int sequenceLength)
    {
        sequenceLength = Math.Max(1, sequenceLength);
        int half = _omega.Length;
        if (length > _capacity)
        {
            int span = (2 * length) - 1;
            _sinA = new float[half * span];
            _cosA = new float[half * span];
            _sinB = new float[half * span];
            _cosB = new float[half * span];
            for (int m = 0; m < half; m++)
                for (int r = -(length - 1); r < length; r++)
                {
                    double a = Math.Abs(r) * _omega[m];
                    _sinA[(m * span) + r + length - 1] = (float)Math.Sin(a);
                    _cosA[(m * span) + r + length - 1] = (float)Math.Cos(a);
                }
            _capacity = length;
            _sequenceLength = -1;
        }
        if (sequenceLength == _sequenceLength) return;
        int n = (2 * _capacity) - 1;
        for (int m = 0; m < half; m++)
            for (int s = 0; s < n; s++)
            {
                double b = s / (double)sequenceLength * _omega[m];
                _sinB[(m * n) + s] = (float)Math.Sin(b);
                _cosB[(m * n) + s] = (float)Math.Cos(b);
            }
        _sequenceLength = sequenceLength;
    }

    /// <summary>Channel-major encodings of query row <paramref name="i"/>: et[c, j] for c &lt; width, j &lt; length.</summary>
    public void WriteRow(int i, int length, Span<float> et)
    {
        int half = _omega.Length, n = (2 * _capacity) - 1, a0 = _capacity - 1 - i;
        for (int m = 0; m < half; m++)
        {
            var sA = new ReadOnlySpan<float>(_sinA, (m * n) + a0, length);
            var cA = new ReadOnlySpan<float>(_cosA, (m * n) + a0, length);
            var sB = new ReadOnlySpan<float>(_sinB, (m * n) + i, length);
            var cB = new ReadOnlySpan<float>(_cosB, (m * n) + i, length);
            var sin = et.Slice((_interleaved ? 2 * m : m) * length, length);
            var cos = et.Slice((_interleaved ? (2 * m) + 1 : half + m) * length, length);
            TensorPrimitives.Multiply(sA, cB, sin);
            TensorPrimitives.MultiplyAdd(cA, sB, sin, sin);
            TensorPrimitives.Multiply(sA, sB, cos);
            TensorPrimitives.Negate(cos, cos);
            TensorPrimitives.MultiplyAdd(cA, cB, cos, cos);
        }
    }
}

/// <summary>
/// Logit hook of the scaled relative scheme: logits[b,h,i,j] += w_h . enc(d(i,j)), d using sequence b's real
/// length. Parameter "position.scaled.weight" [L or 1, H, d']. Works one sequence at a time (the tables depend on
/// N) and one query row at a time (a [d', T] block of encodings), threads over sequences; the weight gradient is
/// summed per sequence and then in sequence order.
/// </summary>
internal sealed class ScaledRelativeModule : PositionModule, IRelativeBiasSource
{
    private readonly ScaledRelativeEncoding _scheme;
    private readonly Parameter _weight;
    private readonly int _layers;
    private ScaledRelativeTables[] _tables = [];
    private Scratch _partial; // [B, H, d']
    private Scratch _rows;    // [B, d', T]

    public ScaledRelativeModule(ScaledRelativeEncoding scheme, PositionModuleShape shape, int seed)
    {
        _scheme = scheme;
        Heads = shape.Heads;
        _layers = scheme.PerLayer ? Math.Max(1, shape.Layers) : 1;
        _weight = new Parameter("position.scaled.weight", [_layers, shape.Heads, scheme.Width], applyWeightDecay: false);
        PositionInit.Normal(new Random(seed), _weight.Value, scheme.InitStd);
    }

    public int Heads { get; }

    public override IReadOnlyList<Parameter> Parameters => [_weight];

    public override bool HasLogitHook => true;

    public float[] Bias(int length, int sequenceLength)
    {
        var bias = new float[Heads * length * length];
        var tables = new ScaledRelativeTables(_scheme.Width, _scheme.Base, _scheme.Layout);
        tables.Prepare(length, sequenceLength);
        AddSequence(tables, WeightOf(0), bias, 0, Heads, length, new float[_scheme.Width * length]);
        return bias;
    }

    private ReadOnlySpan<float> WeightOf(int layer)
    {
        int n = Heads * _scheme.Width;
        return new ReadOnlySpan<float>(_weight.Value, (_scheme.PerLayer ? CheckLayer(layer) : 0) * n, n);
    }

    private ScaledRelativeTables[] TablesFor(int batch)
    {
        if (_tables.Length < batch)
        {
            var t = new ScaledRelativeTables[batch];
            Array.Copy(_tables, t, _tables.Length);
            for (int b = _tables.Length; b < batch; b++) t[b] = new ScaledRelativeTables(_scheme.Width, _scheme.Base, _scheme.Layout);
            _tables = t;
        }
        return _tables;
    }

    private static void AddSequence(ScaledRelativeTables tables, ReadOnlySpan<float> w, float[] logits, int offset, int heads, int t, Span<float> et)
    {
        int width = tables.Width;
        for (int i = 0; i < t; i++)
        {
            tables.WriteRow(i, t, et);
            for (int h = 0; h < heads; h++)
            {
                var row = logits.AsSpan(offset + (((h * t) + i) * t), t);
                for (int c = 0; c < width; c++) TensorPrimitives.MultiplyAdd(et.Slice(c * t, t), w[(h * width) + c], row, row);
            }
        }
    }

    public override void ForwardLogits(int layer, float[] q, float[] logits, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        int t = batch.Length, width = _scheme.Width, n = heads * width;
        var tables = TablesFor(batch.Batch);
        var rows = _rows.Get(batch.Batch * width * t);
        var weight = _weight.Value;
        int wOffset = (_scheme.PerLayer ? CheckLayer(layer) : 0) * n;
        void Sequence(int b)
        {
            tables[b].Prepare(t, batch.Lengths[b]);
            AddSequence(tables[b], new ReadOnlySpan<float>(weight, wOffset, n), logits, b * heads * t * t, heads, t, rows.AsSpan(b * width * t, width * t));
        }
        if ((long)batch.Batch * t * t * n < 200_000) for (int b = 0; b < batch.Batch; b++) Sequence(b);
        else ParallelFor(batch.Batch, Sequence);
    }

    public override void BackwardLogits(int layer, float[] q, float[] dlogits, float[] dq, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        int t = batch.Length, width = _scheme.Width, n = heads * width;
        int wOffset = (_scheme.PerLayer ? CheckLayer(layer) : 0) * n;
        var tables = TablesFor(batch.Batch);
        var rows = _rows.Get(batch.Batch * width * t);
        var partial = _partial.GetCleared(batch.Batch * n);
        void Sequence(int b)
        {
            tables[b].Prepare(t, batch.Lengths[b]);
            var g = partial.AsSpan(b * n, n);
            var et = rows.AsSpan(b * width * t, width * t);
            int offset = b * heads * t * t;
            for (int i = 0; i < t; i++)
            {
                tables[b].WriteRow(i, t, et);
                for (int h = 0; h < heads; h++)
                {
                    var d = new ReadOnlySpan<float>(dlogits, offset + (((h * t) + i) * t), t);
                    for (int c = 0; c < width; c++) g[(h * width) + c] += TensorPrimitives.Dot(d, et.Slice(c * t, t));
                }
            }
        }
        if ((long)batch.Batch * t * t * n < 200_000) for (int b = 0; b < batch.Batch; b++) Sequence(b);
        else ParallelFor(batch.Batch, Sequence);
        var grad = _weight.Grad.AsSpan(wOffset, n);
        for (int b = 0; b < batch.Batch; b++) TensorPrimitives.Add(grad, partial.AsSpan(b * n, n), grad);
    }

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)_layers)
            throw new ArgumentOutOfRangeException(nameof(layer), $"Scaled relative module has per-layer weights for {_layers} layers, called for layer {layer}.");
        return layer;
    }

    private void CheckHeads(int heads)
    {
        if (heads != Heads) throw new ArgumentException($"Scaled relative module was built for {Heads} heads, called with {heads}.", nameof(heads));
    }
}
