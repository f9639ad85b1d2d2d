using System.Numerics.Tensors;

namespace MLComponents.Numerics;

/// <summary>
/// Logit and value hooks of Shaw relative positions. Per query row i the 2k+1 embeddings are visited once:
/// forward logits compute q_i . aK[r] for each r and scatter them to the keys j with index r; the value term and
/// both backwards gather per-r sums of probs / dlogits first. Threads over sequences; embedding gradients are
/// summed per sequence and then in sequence order, so results do not depend on scheduling.
/// </summary>
internal sealed class ShawRelativeModule : PositionModule
{
    private readonly ShawRelativeEncoding _scheme;
    private readonly int _k, _rows, _headDimension;
    private readonly Parameter[] _keys, _values;
    private readonly Parameter[] _all;
    private Scratch _partial; // [B, 2k+1, dh]

    public ShawRelativeModule(ShawRelativeEncoding scheme, PositionModuleShape shape, int seed)
    {
        _scheme = scheme;
        _k = scheme.Clip;
        _rows = (2 * _k) + 1;
        _headDimension = shape.HeadDimension;
        int layers = Math.Max(1, shape.Layers);
        var rng = new Random(seed);
        _keys = new Parameter[layers];
        _values = scheme.Values ? new Parameter[layers] : [];
        for (int l = 0; l < layers; l++)
        {
            _keys[l] = new Parameter($"position.shaw.key.{l}", [_rows, _headDimension], applyWeightDecay: false);
            PositionInit.Normal(rng, _keys[l].Value, scheme.InitStd);
            if (scheme.Values)
            {
                _values[l] = new Parameter($"position.shaw.value.{l}", [_rows, _headDimension], applyWeightDecay: false);
                PositionInit.Normal(rng, _values[l].Value, scheme.InitStd);
            }
        }
        _all = [.. _keys, .. _values];
    }

    public override IReadOnlyList<Parameter> Parameters => _all;

    public override bool HasLogitHook => true;

    public override bool HasValueHook => _scheme.Values;

    private int Index(int i, int j) => Math.Clamp(j - i, -_k, _k) + _k;

    public override void ForwardLogits(int layer, float[] q, float[] logits, PositionBatch batch, int heads, int headDimension, float scale)
    {
        var aK = Check(_keys, layer, headDimension).Value;
        int t = batch.Length, dh = headDimension;
        void Head(int bh)
        {
            Span<float> qa = stackalloc float[_rows];
            for (int i = 0; i < t; i++)
            {
                var qi = new ReadOnlySpan<float>(q, ((bh * t) + i) * dh, dh);
                for (int r = 0; r < _rows; r++) qa[r] = scale * TensorPrimitives.Dot(qi, new ReadOnlySpan<float>(aK, r * dh, dh));
                var row = logits.AsSpan(((bh * t) + i) * t, t);
                for (int j = 0; j < t; j++) row[j] += qa[Index(i, j)];
            }
        }
        Run(batch.Batch * heads, (long)batch.Batch * heads * t * (t + (_rows * dh)), Head);
    }

    public override void BackwardLogits(int layer, float[] q, float[] dlogits, float[] dq, PositionBatch batch, int heads, int headDimension, float scale)
    {
        var key = Check(_keys, layer, headDimension);
        var aK = key.Value;
        int t = batch.Length, dh = headDimension, n = _rows * dh;
        var partial = _partial.GetCleared(batch.Batch * n);
        void Sequence(int b)
        {
            Span<float> gr = stackalloc float[_rows];
            var pk = partial.AsSpan(b * n, n);
            for (int h = 0; h < heads; h++)
            {
                int bh = (b * heads) + h;
                for (int i = 0; i < t; i++)
                {
                    gr.Clear();
                    var row = new ReadOnlySpan<float>(dlogits, ((bh * t) + i) * t, t);
                    for (int j = 0; j < t; j++) gr[Index(i, j)] += row[j];
                    int o = ((bh * t) + i) * dh;
                    var qi = new ReadOnlySpan<float>(q, o, dh);
                    var dqi = dq.AsSpan(o, dh);
                    for (int r = 0; r < _rows; r++)
                    {
                        float g = scale * gr[r];
                        if (g == 0) continue;
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(aK, r * dh, dh), g, dqi, dqi);
                        TensorPrimitives.MultiplyAdd(qi, g, pk.Slice(r * dh, dh), pk.Slice(r * dh, dh));
                    }
                }
            }
        }
        Run(batch.Batch, (long)batch.Batch * heads * t * (t + (_rows * dh)), Sequence);
        Reduce(partial, key.Grad, batch.Batch, n);
    }

    public override void ForwardValues(int layer, float[] probs, float[] output, PositionBatch batch, int heads, int headDimension)
    {
        if (!_scheme.Values) return;
        var aV = Check(_values, layer, headDimension).Value;
        int t = batch.Length, dh = headDimension;
        void Head(int bh)
        {
            Span<float> gp = stackalloc float[_rows];
            for (int i = 0; i < t; i++)
            {
                gp.Clear();
                var row = new ReadOnlySpan<float>(probs, ((bh * t) + i) * t, t);
                for (int j = 0; j < t; j++) gp[Index(i, j)] += row[j];
                var oi = output.AsSpan(((bh * t) + i) * dh, dh);
                for (int r = 0; r < _rows; r++)
                    if (gp[r] != 0) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(aV, r * dh, dh), gp[r], oi, oi);
            }
        }
        Run(batch.Batch * heads, (long)batch.Batch * heads * t * (t + (_rows * dh)), Head);
    }

    public override void BackwardValues(int layer, float[] probs, float[] dOutput, float[] dProbs, PositionBatch batch, int heads, int headDimension)
    {
        if (!_scheme.Values) return;
        var value = Check(_values, layer, headDimension);
        var aV = value.Value;
        int t = batch.Length, dh = headDimension, n = _rows * dh;
        var partial = _partial.GetCleared(batch.Batch * n);
        void Sequence(int b)
        {
            Span<float> gp = stackalloc float[_rows];
            Span<float> da = stackalloc float[_rows];
            var pv = partial.AsSpan(b * n, n);
            for (int h = 0; h < heads; h++)
            {
                int bh = (b * heads) + h;
                for (int i = 0; i < t; i++)
                {
                    var doi = new ReadOnlySpan<float>(dOutput, ((bh * t) + i) * dh, dh);
                    for (int r = 0; r < _rows; r++) da[r] = TensorPrimitives.Dot(doi, new ReadOnlySpan<float>(aV, r * dh, dh));
                    gp.Clear();
                    var prow = new ReadOnlySpan<float>(probs, ((bh * t) + i) * t, t);
                    var drow = dProbs.AsSpan(((bh * t) + i) * t, t);
                    for (int j = 0; j < t; j++)
                    {
                        int r = Index(i, j);
                        drow[j] += da[r];
                        gp[r] += prow[j];
                    }
                    for (int r = 0; r < _rows; r++)
                        if (gp[r] != 0) TensorPrimitives.MultiplyAdd(doi, gp[r], pv.Slice(r * dh, dh), pv.Slice(r * dh, dh));
                }
            }
        }
        Run(batch.Batch, (long)batch.Batch * heads * t * (t + (_rows * dh)), Sequence);
        Reduce(partial, value.Grad, batch.Batch, n);
    }

    private static void Reduce(float[] partial, float[] grad, int batch, int n)
    {
        var g = grad.AsSpan(0, n);
        for (int b = 0; b < batch; b++) TensorPrimitives.Add(g, new ReadOnlySpan<float>(partial, b * n, n), g);
    }

    private void Run(int count, long work, Action<int> body)
    {
        if (work < 100_000 || count == 1) for (int i = 0; i < count; i++) body(i);
        else ParallelFor(count, body);
    }

    private Parameter Check(Parameter[] perLayer, int layer, int headDimension)
    {
        if (headDimension != _headDimension)
            throw new ArgumentException($"Shaw module was built for head dimension {_headDimension}, called with {headDimension}.", nameof(headDimension));
        if ((uint)layer >= (uint)perLayer.Length)
            throw new ArgumentOutOfRangeException(nameof(layer), $"Shaw module has embeddings for {perLayer.Length} layers, called for layer {layer}.");
        return perLayer[layer];
    }
}
