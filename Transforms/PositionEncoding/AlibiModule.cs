namespace MLComponents.Numerics;

/// <summary>
/// Logit hook of ALiBi: logits[b,h,i,j] -= left_h (i-j) for j &lt; i and right_h (j-i) for j &gt; i. With learned
/// slopes the parameter is "position.alibi.slopes" [2, H] (Symmetric: [1, H], one slope used on both sides),
/// shared by all layers and not weight-decayed.
/// </summary>
internal sealed class AlibiModule : PositionModule, IRelativeBiasSource
{
    private readonly bool _symmetric;
    private readonly float[] _slopes; // [2, H]: left, right (the fixed values, or a view of the parameter)
    private readonly Parameter? _parameter;
    private Scratch _partial; // [B*H, 2] per-(b,h) slope gradients, summed in a fixed order

    public AlibiModule(AlibiEncoding scheme, int heads)
    {
        Heads = heads;
        _symmetric = scheme.Form == AlibiForm.Symmetric;
        var init = scheme.InitialSlopes(heads);
        _slopes = new float[2 * heads];
        for (int i = 0; i < init.Length; i++) _slopes[i] = (float)init[i];
        if (scheme.LearnSlopes)
        {
            _parameter = new Parameter("position.alibi.slopes", [_symmetric ? 1 : 2, heads], applyWeightDecay: false);
            Array.Copy(_slopes, _parameter.Value, _parameter.Length);
        }
    }

    public int Heads { get; }

    public override IReadOnlyList<Parameter> Parameters => _parameter is null ? [] : [_parameter];

    public override bool HasLogitHook => true;

    private float Left(int h) => _parameter is null ? _slopes[h] : _parameter.Value[h];

    private float Right(int h) => _parameter is null ? _slopes[Heads + h] : _parameter.Value[_symmetric ? h : Heads + h];

    public float[] Bias(int length, int sequenceLength)
    {
        var bias = new float[Heads * length * length];
        for (int h = 0; h < Heads; h++) WriteBias(bias.AsSpan(h * length * length, length * length), length, Left(h), Right(h));
        return bias;
    }

    internal static void WriteBias(Span<float> bias, int length, float left, float right)
    {
        for (int i = 0; i < length; i++)
            for (int j = 0; j < length; j++)
                bias[(i * length) + j] = j < i ? -left * (i - j) : -right * (j - i);
    }

    public override bool SupportsExplicitPositions => true;

    public override void ForwardLogits(int layer, float[] q, float[] logits, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        int t = batch.Length, rows = batch.Batch * heads;
        void Head(int bh)
        {
            int h = bh % heads, b = bh / heads;
            float left = Left(h), right = Right(h);
            var l = logits.AsSpan(bh * t * t, t * t);
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                {
                    int d = batch.Position(b, j) - batch.Position(b, i);
                    l[(i * t) + j] -= j < i ? left * -d : right * d;
                }
        }
        if ((long)rows * t * t < 65536) for (int bh = 0; bh < rows; bh++) Head(bh);
        else ParallelFor(rows, Head);
    }

    public override void BackwardLogits(int layer, float[] q, float[] dlogits, float[] dq, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        if (_parameter is null) return;
        int t = batch.Length, rows = batch.Batch * heads;
        var partial = _partial.Get(2 * rows);
        void Head(int bh)
        {
            var g = new ReadOnlySpan<float>(dlogits, bh * t * t, t * t);
            int b = bh / heads;
            double left = 0, right = 0;
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                {
                    int d = batch.Position(b, j) - batch.Position(b, i);
                    if (j < i) left -= g[(i * t) + j] * (double)-d;
                    else right -= g[(i * t) + j] * (double)d;
                }
            partial[2 * bh] = (float)left;
            partial[(2 * bh) + 1] = (float)right;
        }
        if ((long)rows * t * t < 65536) for (int bh = 0; bh < rows; bh++) Head(bh);
        else ParallelFor(rows, Head);
        var grad = _parameter.Grad;
        for (int bh = 0; bh < rows; bh++)
        {
            int h = bh % heads;
            if (_symmetric) grad[h] += partial[2 * bh] + partial[(2 * bh) + 1];
            else
            {
                grad[h] += partial[2 * bh];
                grad[heads + h] += partial[(2 * bh) + 1];
            }
        }
    }

    private void CheckHeads(int heads)
    {
        if (heads != Heads) throw new ArgumentException($"ALiBi module was built for {Heads} heads, called with {heads}.", nameof(heads));
    }
}
