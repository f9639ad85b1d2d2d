using System.Numerics;
using System.Numerics.Tensors;

namespace MLComponents.Numerics;

/// <summary>
/// Logit hook of FIRE: logits[b,h,i,j] += MLP(u(i,j; N_b))_h. Per sequence, psi(|r|) and 1/psi(normaliser) are
/// tabulated so a pair costs one multiply before the MLP. The backward recomputes the MLP activations (cheaper
/// than storing [B,T,T,hidden]), threads over sequences into per-sequence gradient slots, and sums them in order.
/// </summary>
internal sealed class FireModule : PositionModule, IRelativeBiasSource
{
    private readonly int _hidden;
    private readonly bool _learnThreshold;
    private readonly float _fixedThreshold;
    private readonly Parameter _w1, _b1, _w2, _b2, _logC;
    private readonly Parameter? _threshold;
    private readonly Parameter[] _all;
    private Scratch _partial; // [B, gradient slots]
    private Scratch _tables;  // [B, 3T]: psi(|r|) for r < T, then 1/psi(M) left and right per query

    public FireModule(FireEncoding scheme, int heads, int seed)
    {
        Heads = heads;
        _hidden = scheme.Hidden;
        _learnThreshold = scheme.LearnThreshold;
        _fixedThreshold = (float)scheme.Threshold;
        var rng = new Random(seed);
        _w1 = new Parameter("position.fire.w1", [_hidden], applyWeightDecay: false);
        _b1 = new Parameter("position.fire.b1", [_hidden], applyWeightDecay: false);
        _w2 = new Parameter("position.fire.w2", [heads, _hidden], applyWeightDecay: false);
        _b2 = new Parameter("position.fire.b2", [heads], applyWeightDecay: false);
        _logC = new Parameter("position.fire.logC", [1], applyWeightDecay: false);
        // First layer U(-a, a) with a = InitScale (PyTorch Linear's default 1/sqrt(fan_in) is 1 here); second layer at
        // PyTorch's default bound 1/sqrt(hidden).
        PositionInit.Uniform(rng, _w1.Value, scheme.InitScale);
        PositionInit.Uniform(rng, _b1.Value, scheme.InitScale);
        PositionInit.Uniform(rng, _w2.Value, 1 / Math.Sqrt(_hidden));
        _logC.Value[0] = (float)Math.Log(scheme.InitC);
        if (_learnThreshold)
        {
            _threshold = new Parameter("position.fire.threshold", [1], applyWeightDecay: false);
            _threshold.Value[0] = _fixedThreshold;
        }
        _all = _threshold is null ? [_w1, _b1, _w2, _b2, _logC] : [_w1, _b1, _w2, _b2, _logC, _threshold];
    }

    public int Heads { get; }

    public override IReadOnlyList<Parameter> Parameters => _all;

    public override bool HasLogitHook => true;

    public override bool SupportsExplicitPositions => true;

    private float C => MathF.Exp(_logC.Value[0]);

    private float L => _threshold?.Value[0] ?? _fixedThreshold;

    public float[] Bias(int length, int sequenceLength)
    {
        var bias = new float[Heads * length * length];
        var table = new float[3 * length];
        Span<float> output = stackalloc float[Heads];
        Span<Vector<float>> acc = stackalloc Vector<float>[Heads];
        FillTable(table, length, sequenceLength);
        for (int i = 0; i < length; i++)
            for (int j = 0; j < length; j++)
            {
                PairForward(Input(table, length, i, j), _w1.Value, _b1.Value, _w2.Value, _b2.Value, output, acc, _hidden);
                for (int h = 0; h < Heads; h++) bias[(((h * length) + i) * length) + j] = output[h];
            }
        return bias;
    }

    // table[0..T): psi(r); table[T + i]: 1/psi(M_left(i)); table[2T + i]: 1/psi(M_right(i)).
    private void FillTable(Span<float> table, int t, int n)
    {
        double c = C, l = L;
        for (int r = 0; r < t; r++) table[r] = (float)Math.Log((c * r) + 1);
        for (int i = 0; i < t; i++)
        {
            table[t + i] = (float)(1 / Math.Log((c * Math.Max(Math.Max(i, l), 1)) + 1));
            table[(2 * t) + i] = (float)(1 / Math.Log((c * Math.Max(Math.Max(n - 1 - i, l), 1)) + 1));
        }
    }

    // Explicit positions P (randomized in training): r = |P(j) - P(i)|, far = P(i) for keys on the left (the form with
    // P(t) = t measures it from position 0) and P(n-1) - P(i) for keys on the right; u = sign(j-i) psi(r) / psi(max(far, L, 1)).
    private static (float U, int Distance, int Far, double Psi, double PsiNorm) PositionPair(PositionBatch batch, int b, int i, int j, double c, double l)
    {
        int pi = batch.Position(b, i), pj = batch.Position(b, j), last = batch.Position(b, batch.Lengths[b] - 1);
        int r = Math.Abs(pj - pi), far = j > i ? last - pi : pi;
        double psi = Math.Log((c * r) + 1), psiNorm = Math.Log((c * Math.Max(Math.Max(far, l), 1)) + 1);
        float u = j == i ? 0 : (float)(Math.Sign(j - i) * (float)psi * (float)(1 / psiNorm));
        return (u, r, far, (float)psi, (float)psiNorm);
    }

    private static float Input(ReadOnlySpan<float> table, int t, int i, int j) =>
        j == i ? 0 : j > i ? table[j - i] * table[(2 * t) + i] : -table[i - j] * table[t + i];

    // One pair's MLP output for every head in a single pass over the hidden units: out[h] = b2[h] + w2[h] . relu(w1 u + b1).
    private static void PairForward(float u, float[] w1, float[] b1, float[] w2, float[] b2, Span<float> output, Span<Vector<float>> acc, int hid)
    {
        int heads = output.Length, vw = Vector<float>.Count, k = 0;
        var uv = new Vector<float>(u);
        acc.Clear();
        for (; k <= hid - vw; k += vw)
        {
            var a = Vector.Max((new Vector<float>(w1, k) * uv) + new Vector<float>(b1, k), Vector<float>.Zero);
            for (int h = 0; h < heads; h++) acc[h] += new Vector<float>(w2, (h * hid) + k) * a;
        }
        for (int h = 0; h < heads; h++) output[h] = b2[h] + Vector.Sum(acc[h]);
        for (; k < hid; k++)
        {
            float p = (w1[k] * u) + b1[k];
            if (p <= 0) continue;
            for (int h = 0; h < heads; h++) output[h] += w2[(h * hid) + k] * p;
        }
    }

    public override void ForwardLogits(int layer, float[] q, float[] logits, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        int t = batch.Length;
        var tables = _tables.Get(batch.Batch * 3 * t);
        void Sequence(int b)
        {
            var table = tables.AsSpan(b * 3 * t, 3 * t);
            FillTable(table, t, batch.Lengths[b]);
            bool explicitPositions = batch.Positions is not null;
            double c = C, l = L;
            Span<float> output = stackalloc float[heads];
            Span<Vector<float>> acc = stackalloc Vector<float>[heads];
            int offset = b * heads * t * t;
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                {
                    float u = explicitPositions ? PositionPair(batch, b, i, j, c, l).U : Input(table, t, i, j);
                    PairForward(u, _w1.Value, _b1.Value, _w2.Value, _b2.Value, output, acc, _hidden);
                    for (int h = 0; h < heads; h++) logits[offset + (((h * t) + i) * t) + j] += output[h];
                }
        }
        Run(batch.Batch, (long)batch.Batch * t * t * _hidden * (heads + 1), Sequence);
    }

    public override void BackwardLogits(int layer, float[] q, float[] dlogits, float[] dq, PositionBatch batch, int heads, int headDimension, float scale)
    {
        CheckHeads(heads);
        int t = batch.Length, hid = _hidden;
        // Gradient slots: w1, b1, w2, b2, logC, threshold.
        int oW1 = 0, oB1 = hid, oW2 = 2 * hid, oB2 = oW2 + (heads * hid), oC = oB2 + heads, oL = oC + 1, slots = oL + 1;
        var partial = _partial.GetCleared(batch.Batch * slots);
        var tables = _tables.Get(batch.Batch * 3 * t);
        double c = C, l = L;
        var w1 = _w1.Value;
        var w2 = _w2.Value;
        void Sequence(int b)
        {
            var table = tables.AsSpan(b * 3 * t, 3 * t);
            int n = batch.Lengths[b];
            FillTable(table, t, n);
            Span<float> g = stackalloc float[heads];
            var part = partial.AsSpan(b * slots, slots);
            double dLogC = 0, dL = 0;
            int offset = b * heads * t * t;
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                {
                    bool any = false;
                    for (int h = 0; h < heads; h++)
                    {
                        g[h] = dlogits[offset + (((h * t) + i) * t) + j];
                        any |= g[h] != 0;
                    }
                    if (!any) continue;
                    bool explicitPositions = batch.Positions is not null;
                    var pair = explicitPositions ? PositionPair(batch, b, i, j, c, l) : default;
                    float u = explicitPositions ? pair.U : Input(table, t, i, j);
                    float du = PairBackward(u, g, w1, _b1.Value, w2, part.Slice(oW1, hid), part.Slice(oB1, hid), part.Slice(oW2, heads * hid), hid);
                    for (int h = 0; h < heads; h++) part[oB2 + h] += g[h];
                    if (j == i || du == 0) continue;
                    // u = s P(|r|)/P(M), P(x) = log(1 + c x): chain du into c (through both P's) and L (when L is the normaliser).
                    int r = Math.Abs(j - i), far = j > i ? n - 1 - i : i;
                    if (explicitPositions)
                    {
                        r = pair.Distance;
                        far = pair.Far;
                    }
                    double m = Math.Max(Math.Max(far, l), 1);
                    double pr = explicitPositions ? pair.Psi : table[r];
                    double pm = explicitPositions ? pair.PsiNorm : 1 / (double)table[(j > i ? 2 * t : t) + i], s = Math.Sign(j - i);
                    double duDc = s * (((r / ((c * r) + 1)) / pm) - (pr * (m / ((c * m) + 1)) / (pm * pm)));
                    dLogC += du * duDc * c;
                    if (l > far && l > 1) dL += du * (-s * pr * (c / ((c * l) + 1)) / (pm * pm));
                }
            part[oC] += (float)dLogC;
            part[oL] += (float)dL;
        }
        Run(batch.Batch, (long)batch.Batch * t * t * hid * (heads + 1), Sequence);
        for (int b = 0; b < batch.Batch; b++)
        {
            var part = partial.AsSpan(b * slots, slots);
            Add(_w1.Grad, part.Slice(oW1, hid));
            Add(_b1.Grad, part.Slice(oB1, hid));
            Add(_w2.Grad, part.Slice(oW2, heads * hid));
            Add(_b2.Grad, part.Slice(oB2, heads));
            _logC.Grad[0] += part[oC];
            if (_threshold is not null) _threshold.Grad[0] += part[oL];
        }
    }

    // One pair's backward through the MLP in a single pass over the hidden units (the activations are recomputed,
    // the ReLU gate applied, and the w1/b1/w2 gradients accumulated); returns dLoss/du.
    private static float PairBackward(float u, ReadOnlySpan<float> g, float[] w1, float[] b1, float[] w2,
        Span<float> gW1, Span<float> gB1, Span<float> gW2, int hid)
    {
        int heads = g.Length, vw = Vector<float>.Count, k = 0;
        var uv = new Vector<float>(u);
        var duv = Vector<float>.Zero;
        for (; k <= hid - vw; k += vw)
        {
            var w1v = new Vector<float>(w1, k);
            var pre = (w1v * uv) + new Vector<float>(b1, k);
            var a = Vector.Max(pre, Vector<float>.Zero);
            var da = Vector<float>.Zero;
            for (int h = 0; h < heads; h++)
            {
                var gh = new Vector<float>(g[h]);
                da += gh * new Vector<float>(w2, (h * hid) + k);
                var dst = gW2.Slice((h * hid) + k, vw);
                (new Vector<float>(dst) + (gh * a)).CopyTo(dst);
            }
            da = Vector.ConditionalSelect(Vector.GreaterThan(pre, Vector<float>.Zero), da, Vector<float>.Zero);
            (new Vector<float>(gW1.Slice(k, vw)) + (da * uv)).CopyTo(gW1.Slice(k, vw));
            (new Vector<float>(gB1.Slice(k, vw)) + da).CopyTo(gB1.Slice(k, vw));
            duv += da * w1v;
        }
        float du = Vector.Sum(duv);
        for (; k < hid; k++)
        {
            float pre = (w1[k] * u) + b1[k];
            float a = pre > 0 ? pre : 0, da = 0;
            for (int h = 0; h < heads; h++)
            {
                da += g[h] * w2[(h * hid) + k];
                gW2[(h * hid) + k] += g[h] * a;
            }
            if (pre <= 0) continue;
            gW1[k] += da * u;
            gB1[k] += da;
            du += da * w1[k];
        }
        return du;
    }

    private static void Add(float[] grad, ReadOnlySpan<float> part) =>
        TensorPrimitives.Add(grad.AsSpan(0, part.Length), part, grad.AsSpan(0, part.Length));

    private void Run(int count, long work, Action<int> body)
    {
        if (work < 200_000 || count == 1) for (int i = 0; i < count; i++) body(i);
        else ParallelFor(count, body);
    }

    private void CheckHeads(int heads)
    {
        if (heads != Heads) throw new ArgumentException($"FIRE module was built for {Heads} heads, called with {heads}.", nameof(heads));
    }
}
