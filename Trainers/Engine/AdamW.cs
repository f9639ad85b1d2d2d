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

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/> using the current gradients.</summary>
    public void Update(double learningRate)
    {
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
            var w = p.Value;
            var g = p.Grad;
            var m = _m[i];
            var v = _v[i];
            for (int j = 0; j < w.Length; j++)
            {
                float gj = g[j];
                float mj = m[j] + (1 - b1) * (gj - m[j]);
                float vj = b2 * v[j] + (1 - b2) * gj * gj;
                m[j] = mj;
                v[j] = vj;
                w[j] = w[j] * decay - stepSize * mj / (MathF.Sqrt(vj) * invBc2Sqrt + eps);
            }
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
            foreach (float g in parameters[i].Grad)
            {
                sum += (double)g * g;
            }
        }
        double norm = Math.Sqrt(sum);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
        {
            float c = (float)coef;
            for (int i = 0; i < parameters.Count; i++)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(parameters[i].Grad, c, parameters[i].Grad);
            }
        }
        return norm;
    }
}
