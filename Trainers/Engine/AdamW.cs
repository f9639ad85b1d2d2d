using System.Numerics.Tensors;
using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// AdamW exactly as torch.optim.AdamW (amsgrad off): p -= lr*wd*p (decoupled decay, skipped for parameters with
/// <see cref="Parameter.ApplyWeightDecay"/> false), m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
/// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
/// </summary>
public sealed class AdamW
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly float[][] _m;
    private readonly float[][] _v;

    /// <summary>Creates the optimiser with zero moments (torch defaults: betas 0.9/0.999, eps 1e-8, decay 0.01).</summary>
    public AdamW(IReadOnlyList<Parameter> parameters, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters;
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _m = [.. parameters.Select(p => new float[p.Length])];
        _v = [.. parameters.Select(p => new float[p.Length])];
    }

    /// <summary>Decoupled weight-decay coefficient.</summary>
    public float WeightDecay { get; }

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public float Epsilon { get; }

    /// <summary>Updates taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>The trainers' step: clips the global gradient norm to <paramref name="clipNorm"/> (when &gt; 0), then updates.</summary>
    public void ClipAndUpdate(double clipNorm, double learningRate)
    {
        if (clipNorm > 0)
        {
            ClipGradientNorm(_parameters, clipNorm);
        }
        Update(learningRate);
    }

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/> using the current gradients.</summary>
    public void Update(double learningRate)
    {
        long clock = StepProfiler.Start();
        Step++;
        double bc1 = 1 - Math.Pow(Beta1, Step);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, Step));
        float stepSize = (float)(learningRate / bc1);
        float invBc2Sqrt = (float)(1 / bc2Sqrt);
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i];
            float decay = p.ApplyWeightDecay ? (float)(1 - learningRate * WeightDecay) : 1f;
            Update(p.Value, p.Grad, _m[i], _v[i], decay, stepSize, invBc2Sqrt, b1, b2, eps);
        }
        StepProfiler.Stop(StepPart.Optimiser, true, clock);
    }

    /// <summary>One tensor's update in span maths, a stack chunk at a time (the embedding table alone is V x D).</summary>
    private static void Update(float[] w, float[] g, float[] m, float[] v, float decay, float stepSize, float invBc2Sqrt, float b1, float b2, float eps)
    {
        const int Chunk = 512;
        Span<float> tmp = stackalloc float[Chunk];
        for (int start = 0; start < w.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, w.Length - start);
            var t = tmp[..n];
            var ws = w.AsSpan(start, n);
            var gs = g.AsSpan(start, n);
            var ms = m.AsSpan(start, n);
            var vs = v.AsSpan(start, n);
            // m += (1 - b1) (g - m), torch's lerp
            TensorPrimitives.Subtract(gs, ms, t);
            TensorPrimitives.MultiplyAdd(t, 1 - b1, ms, ms);
            // v = b2 v + (1 - b2) g^2
            TensorPrimitives.Multiply(gs, gs, t);
            TensorPrimitives.Multiply(vs, b2, vs);
            TensorPrimitives.MultiplyAdd(t, 1 - b2, vs, vs);
            // w = w (1 - lr wd) - stepSize m / (sqrt(v) / sqrt(bc2) + eps)
            TensorPrimitives.Sqrt(vs, t);
            TensorPrimitives.Multiply(t, invBc2Sqrt, t);
            TensorPrimitives.Add(t, eps, t);
            TensorPrimitives.Divide(ms, t, t);
            if (decay != 1f)
            {
                TensorPrimitives.Multiply(ws, decay, ws);
            }
            TensorPrimitives.MultiplyAdd(t, -stepSize, ws, ws);
        }
    }

    /// <summary>
    /// Global gradient-norm clipping as torch.nn.utils.clip_grad_norm_: with total 2-norm n over all gradients,
    /// multiplies every gradient by min(1, maxNorm / (n + 1e-6)). Returns n. The sum runs in a fixed order (double).
    /// </summary>
    public static double ClipGradientNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sum = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            // Per 4096-float chunk in float SIMD, chunks summed in double: fixed order, little rounding.
            var grad = parameters[i].Grad;
            for (int start = 0; start < grad.Length; start += 4096)
            {
                sum += TensorPrimitives.SumOfSquares(grad.AsSpan(start, Math.Min(4096, grad.Length - start)));
            }
        }
        double norm = Math.Sqrt(sum);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
        {
            float c = (float)coef;
            for (int i = 0; i < parameters.Count; i++)
            {
                TensorPrimitives.Multiply(parameters[i].Grad, c, parameters[i].Grad);
            }
        }
        return norm;
    }
}
