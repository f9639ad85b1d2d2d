namespace MLComponents.Numerics;

/// <summary>
/// The encoding of d(i,j) = |i-j| + (i+j)/N without a sine per (i, j): with A = |i-j| omega and B = (i+j)/N omega,
/// sin(A+B) = sin A cos B + cos A sin B (and likewise cos), from tables over |i-j| and i+j. The featuriser and the
/// module both encode through this class, so they agree to the bit.
/// </summary>
internal sealed class ScaledRelativeTables
{
    private readonly double[] _omega;
    private readonly bool _interleaved;
    private float[] _sinA = [], _cosA = [], _sinB = [], _cosB = [];
    private int _length = -1, _sequenceLength = -1;

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
        if (length > _length)
        {
            _sinA = new float[length * half];
            _cosA = new float[length * half];
            for (int r = 0; r < length; r++)
                for (int m = 0; m < half; m++)
                {
                    _sinA[(r * half) + m] = (float)Math.Sin(r * _omega[m]);
                    _cosA[(r * half) + m] = (float)Math.Cos(r * _omega[m]);
                }
            _sinB = new float[((2 * length) - 1) * half];
            _cosB = new float[_sinB.Length];
            _length = length;
            _sequenceLength = -1;
        }
        if (sequenceLength == _sequenceLength) return;
        for (int s = 0; s < (2 * _length) - 1; s++)
            for (int m = 0; m < half; m++)
            {
                double b = s / (double)sequenceLength * _omega[m];
                _sinB[(s * half) + m] = (float)Math.Sin(b);
                _cosB[(s * half) + m] = (float)Math.Cos(b);
            }
        _sequenceLength = sequenceLength;
    }

    public void Write(int i, int j, Span<float> enc)
    {
        int half = _omega.Length, a = Math.Abs(i - j) * half, b = (i + j) * half;
        for (int m = 0; m < half; m++)
        {
            float sa = _sinA[a + m], ca = _cosA[a + m], sb = _sinB[b + m], cb = _cosB[b + m];
            float sin = (sa * cb) + (ca * sb), cos = (ca * cb) - (sa * sb);
            if (_interleaved)
            {
                enc[2 * m] = sin;
                enc[(2 * m) + 1] = cos;
            }
            else
            {
                enc[m] = sin;
                enc[half + m] = cos;
            }
        }
    }
}

/// <summary>
/// Logit hook of the scaled relative scheme: logits[b,h,i,j] += w_h . enc(d(i,j)), d using sequence b's real
/// length. Parameter "position.scaled.weight" [L or 1, H, d']. Works one sequence at a time (the tables depend on
/// N), threads over sequences; the weight gradient is summed per sequence and then in sequence order.
/// </summary>
internal sealed class ScaledRelativeModule : PositionModule, IRelativeBiasSource
{
    private readonly ScaledRelativeEncoding _scheme;
    private readonly Parameter _weight;
    private readonly int _layers;
    private ScaledRelativeTables[] _tables = [];
    private Scratch _partial; // [B, H, d']

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
        AddSequence(tables, WeightOf(0), bias, 0, Heads, length);
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

    private static void AddSequence(ScaledRelativeTables tables, ReadOnlySpan<float> w, float[] logits, int offset, int heads, int t)
    {
        int width = tables.Width;
        Span<float> enc = stackalloc float[width];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < t; j++)
            {
                tables.Write(i, j, enc);
                for (int h = 0; h < heads; h++)
                    logits[offset + (((h * t) + i) * t) + j] += System.Numerics.Tensors.TensorPrimitives.Dot(w.Slice(h * width, width), enc);
            }
    }

    public override void ForwardLogits(int layer, float[] q, float[] logits, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        int t = batch.Length;
        var tables = TablesFor(batch.Batch);
        var weight = _weight.Value;
        int n = Heads * _scheme.Width, wOffset = (_scheme.PerLayer ? CheckLayer(layer) : 0) * n;
        void Sequence(int b)
        {
            tables[b].Prepare(t, batch.Lengths[b]);
            AddSequence(tables[b], new ReadOnlySpan<float>(weight, wOffset, n), logits, b * heads * t * t, heads, t);
        }
        if ((long)batch.Batch * t * t * n < 200_000) for (int b = 0; b < batch.Batch; b++) Sequence(b);
        else Parallel.For(0, batch.Batch, Sequence);
    }

    public override void BackwardLogits(int layer, float[] q, float[] dlogits, float[] dq, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        int t = batch.Length, width = _scheme.Width, n = heads * width;
        int wOffset = (_scheme.PerLayer ? CheckLayer(layer) : 0) * n;
        var tables = TablesFor(batch.Batch);
        var partial = _partial.GetCleared(batch.Batch * n);
        void Sequence(int b)
        {
            tables[b].Prepare(t, batch.Lengths[b]);
            var g = partial.AsSpan(b * n, n);
            Span<float> enc = stackalloc float[width];
            int offset = b * heads * t * t;
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                {
                    tables[b].Write(i, j, enc);
                    for (int h = 0; h < heads; h++)
                    {
                        float d = dlogits[offset + (((h * t) + i) * t) + j];
                        if (d != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(enc, d, g.Slice(h * width, width), g.Slice(h * width, width));
                    }
                }
        }
        if ((long)batch.Batch * t * t * n < 200_000) for (int b = 0; b < batch.Batch; b++) Sequence(b);
        else Parallel.For(0, batch.Batch, Sequence);
        var grad = _weight.Grad.AsSpan(wOffset, n);
        for (int b = 0; b < batch.Batch; b++) System.Numerics.Tensors.TensorPrimitives.Add(grad, partial.AsSpan(b * n, n), grad);
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
