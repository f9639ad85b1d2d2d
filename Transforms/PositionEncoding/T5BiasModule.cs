namespace MLComponents.Numerics;

/// <summary>
/// Logit hook of the T5 bias: logits[b,h,i,j] += table[bucket(j-i), h]. Buckets depend on j - i only, so they are
/// kept per relative offset (2C-1 entries) for the longest length C seen.
/// </summary>
internal sealed class T5BiasModule : PositionModule, IRelativeBiasSource
{
    private readonly T5BiasEncoding _scheme;
    private readonly Parameter _table; // [buckets, H]
    private int[] _bucketOfOffset = []; // index (j - i) + C - 1
    private int _capacity;
    private Scratch _offsetGrad; // [H, 2C-1] summed dlogits per relative offset

    public T5BiasModule(T5BiasEncoding scheme, PositionModuleShape shape, int seed)
    {
        _scheme = scheme;
        Heads = shape.Heads;
        _table = new Parameter("position.t5.bias", [scheme.NumBuckets, shape.Heads], applyWeightDecay: false);
        var rng = new Random(seed);
        for (int b = 0; b < scheme.NumBuckets; b++)
            PositionInit.Normal(rng, _table.Value.AsSpan(b * Heads, Heads), scheme.IsExactBucket(b) ? scheme.InitStd : scheme.LogInitStd);
        EnsureCapacity(Math.Max(1, shape.MaxTokens));
    }

    public int Heads { get; }

    public override IReadOnlyList<Parameter> Parameters => [_table];

    public override bool HasLogitHook => true;

    private void EnsureCapacity(int length)
    {
        if (length <= _capacity) return;
        var buckets = new int[(2 * length) - 1];
        for (int r = -(length - 1); r < length; r++) buckets[r + length - 1] = _scheme.Bucket(r);
        _bucketOfOffset = buckets;
        _capacity = length;
    }

    public float[] Bias(int length, int sequenceLength)
    {
        EnsureCapacity(length);
        var bias = new float[Heads * length * length];
        for (int h = 0; h < Heads; h++)
            for (int i = 0; i < length; i++)
                for (int j = 0; j < length; j++)
                    bias[(((h * length) + i) * length) + j] = _table.Value[(_bucketOfOffset[j - i + _capacity - 1] * Heads) + h];
        return bias;
    }

    public override void ForwardLogits(int layer, float[] q, float[] logits, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        EnsureCapacity(batch.Length);
        int t = batch.Length, rows = batch.Batch * heads, c = _capacity;
        var table = _table.Value;
        var buckets = _bucketOfOffset;
        void Head(int bh)
        {
            int h = bh % heads;
            var l = logits.AsSpan(bh * t * t, t * t);
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                    l[(i * t) + j] += table[(buckets[j - i + c - 1] * heads) + h];
        }
        if ((long)rows * t * t < 65536) for (int bh = 0; bh < rows; bh++) Head(bh);
        else ParallelFor(rows, Head);
    }

    public override void BackwardLogits(int layer, float[] q, float[] dlogits, float[] dq, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        EnsureCapacity(batch.Length);
        int t = batch.Length, offsets = (2 * t) - 1, c = _capacity;
        var g = _offsetGrad.GetCleared(heads * offsets);
        // Each head owns its row of g, and sums over (b, i, j) in a fixed order: deterministic under threads.
        void PerHead(int h)
        {
            var gh = g.AsSpan(h * offsets, offsets);
            for (int b = 0; b < batch.Batch; b++)
            {
                var d = new ReadOnlySpan<float>(dlogits, ((b * heads) + h) * t * t, t * t);
                for (int i = 0; i < t; i++)
                    for (int j = 0; j < t; j++)
                        gh[j - i + t - 1] += d[(i * t) + j];
            }
        }
        if ((long)batch.Batch * heads * t * t < 65536) for (int h = 0; h < heads; h++) PerHead(h);
        else ParallelFor(heads, PerHead);
        var grad = _table.Grad;
        for (int h = 0; h < heads; h++)
            for (int r = 0; r < offsets; r++)
                grad[(_bucketOfOffset[r - (t - 1) + c - 1] * heads) + h] += g[(h * offsets) + r];
    }

    private void CheckHeads(int heads)
    {
        if (heads != Heads) throw new ArgumentException($"T5 bias module was built for {Heads} heads, called with {heads}.", nameof(heads));
    }
}
