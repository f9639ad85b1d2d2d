using TorchSharp;
using static TorchSharp.torch;
using ManagedParameter = MLComponents.Numerics.Parameter;

namespace MLComponents.TorchSharp.Position;

/// <summary>T5 buckets: logits[b,h,i,j] += table[bucket(j - i), h], "position.t5.bias" [buckets, H] shared by all layers.</summary>
internal sealed class TorchT5Bias(T5BiasEncoding scheme, int heads, IReadOnlyList<ManagedParameter> parameters) : TorchPositionScheme(parameters)
{
    public override Tensor Logits(int layer, Tensor logits, Tensor queries, float scale, TorchBatch batch)
    {
        int t = batch.Length;
        var buckets = Cached($"t5/{t}", batch.Device, () => tensor(Array.ConvertAll(scheme.BucketMatrix(t), b => (long)b), [t * t], dtype: ScalarType.Int64));
        var bias = Learned("position.t5.bias").index_select(0, buckets).view(t, t, heads).permute(2, 0, 1);
        return logits + bias;
    }
}

/// <summary>
/// ALiBi: logits[b,h,i,j] -= left_h (i - j) for keys left of the query and right_h (j - i) for keys right of it. Learned
/// slopes are "position.alibi.slopes" ([1, H] symmetric: one slope both sides; [2, H] bidirectional), else the fixed
/// initial slopes.
/// </summary>
internal sealed class TorchAlibi : TorchPositionScheme
{
    private readonly float[] _fixed;
    private readonly int _heads;
    private readonly bool _symmetric;

    public TorchAlibi(AlibiEncoding scheme, int heads, IReadOnlyList<ManagedParameter> parameters) : base(parameters)
    {
        _heads = heads;
        _symmetric = scheme.Form == AlibiForm.Symmetric;
        _fixed = Array.ConvertAll(scheme.InitialSlopes(heads), s => (float)s);
    }

    public override Tensor Logits(int layer, Tensor logits, Tensor queries, float scale, TorchBatch batch)
    {
        int t = batch.Length;
        var left = Cached($"alibi-left/{t}", batch.Device, () => Distances(t, leftOfQuery: true));
        var right = Cached($"alibi-right/{t}", batch.Device, () => Distances(t, leftOfQuery: false));
        if (batch.Positions is not null)
        {
            // Explicit (randomized) positions: |P(j) - P(i)| on each side of the query (the dense distances' signs mark the side), [B,1,T,T].
            var distance = tensor(PositionDistances(batch), [batch.Batch, 1, t, t], device: batch.Device);
            left = distance * left.sign();
            right = distance * right.sign();
        }
        Tensor leftSlopes, rightSlopes;
        if (Has("position.alibi.slopes"))
        {
            var slopes = Learned("position.alibi.slopes");
            leftSlopes = slopes[0];
            rightSlopes = _symmetric ? leftSlopes : slopes[1];
        }
        else
        {
            var slopes = Cached("alibi-slopes", batch.Device, () => tensor(_fixed, [2, _heads]));
            leftSlopes = slopes[0];
            rightSlopes = slopes[1];
        }
        var bias = leftSlopes.view(_heads, 1, 1) * left + rightSlopes.view(_heads, 1, 1) * right;
        return logits - bias;
    }

    // max(i - j, 0) (keys left of query i) or max(j - i, 0), as floats [T, T].
    private static Tensor Distances(int t, bool leftOfQuery)
    {
        var d = new float[t * t];
        for (int i = 0; i < t; i++)
        {
            for (int j = 0; j < t; j++)
            {
                d[(i * t) + j] = leftOfQuery ? Math.Max(i - j, 0) : Math.Max(j - i, 0);
            }
        }
        return tensor(d, [t, t]);
    }
}

/// <summary>
/// The scaled relative scheme: logits[b,h,i,j] += w_h . enc(d(i,j)), d = |i-j| + (i+j)/N_b. The encodings are the
/// scheme's own <see cref="ScaledRelativeEncoding.Encodings"/> per (T, N), so both backends use the same floats;
/// "position.scaled.weight" is [L or 1, H, d'].
/// </summary>
internal sealed class TorchScaledRelative(ScaledRelativeEncoding scheme, int heads, IReadOnlyList<ManagedParameter> parameters) : TorchPositionScheme(parameters)
{
    public override Tensor Logits(int layer, Tensor logits, Tensor queries, float scale, TorchBatch batch)
    {
        int t = batch.Length, w = scheme.Width;
        var encodings = new Tensor[batch.Batch];
        for (int b = 0; b < batch.Batch; b++)
        {
            int n = batch.Lengths[b];
            encodings[b] = Cached($"scaled/{t}/{n}", batch.Device, () => tensor(scheme.Encodings(t, n), [t * t, w]));
        }
        var weight = Learned("position.scaled.weight");
        var wl = weight[scheme.PerLayer ? layer : 0];                                  // [H, d']
        var bias = Checked.MatMul(stack(encodings), wl.t(), "scaled relative bias");   // [B, T*T, H]
        return logits + bias.permute(0, 2, 1).reshape(batch.Batch, heads, t, t);
    }
}

/// <summary>
/// Shaw relative keys and values per layer, "position.shaw.key.{l}" / "position.shaw.value.{l}" [2k+1, dh], shared by
/// the heads: logits[i,j] += scale q_i . aK[clip(j-i)], o_i += sum_j p_ij aV[clip(j-i)].
/// </summary>
internal sealed class TorchShawRelative(ShawRelativeEncoding scheme, IReadOnlyList<ManagedParameter> parameters) : TorchPositionScheme(parameters)
{
    private Tensor Indices(TorchBatch batch)
    {
        int t = batch.Length;
        return Cached($"shaw/{t}", batch.Device, () => tensor(Array.ConvertAll(scheme.DistanceIndices(t), i => (long)i), [t, t], dtype: ScalarType.Int64));
    }

    public override Tensor Logits(int layer, Tensor logits, Tensor queries, float scale, TorchBatch batch)
    {
        var keys = Learned($"position.shaw.key.{layer}");
        var perDistance = Checked.MatMul(queries, keys.t(), "Shaw relative keys") * scale;   // [B,H,T,2k+1]
        var shape = logits.shape;
        return logits + perDistance.gather(-1, Indices(batch).expand(shape));
    }

    public override Tensor Values(int layer, Tensor probabilities, Tensor output, TorchBatch batch)
    {
        if (!scheme.Values)
        {
            return output;
        }
        var values = Learned($"position.shaw.value.{layer}");
        var s = probabilities.shape;
        var perDistance = zeros([s[0], s[1], s[2], values.shape[0]], dtype: probabilities.dtype, device: probabilities.device)
            .scatter_add(-1, Indices(batch).expand(s), probabilities);                       // [B,H,T,2k+1]
        return output + Checked.MatMul(perDistance, values, "Shaw relative values");
    }
}

/// <summary>
/// FIRE: logits[b,h,i,j] += MLP(u)_h with u = sign(j-i) psi(|j-i|) / psi(max(far, L, 1)), psi(x) = log(c x + 1),
/// c = exp(logC), far = i (keys left) or N_b - 1 - i (keys right); the MLP 1 -> hidden (ReLU) -> H is shared by all layers.
/// The normaliser is written with strict comparisons so that L gets a gradient exactly where the managed module gives
/// it one (L &gt; far and L &gt; 1; a tie passes none).
/// </summary>
internal sealed class TorchFire(FireEncoding scheme, IReadOnlyList<ManagedParameter> parameters) : TorchPositionScheme(parameters)
{
    public override Tensor Logits(int layer, Tensor logits, Tensor queries, float scale, TorchBatch batch)
    {
        int t = batch.Length, bsz = batch.Batch;
        var device = batch.Device;
        var offset = Cached($"fire-offset/{t}", device, () => RelativeOffsets(t));            // j - i, [T, T]
        var far = tensor(FarDistances(batch), [bsz, t, t], device: device);                 // [B, T, T]
        // |P(j) - P(i)|: the offsets' size, or with explicit (randomized) positions their distance, [B, T, T]; the sign stays j - i's.
        var distance = batch.Positions is null ? offset.abs() : tensor(PositionDistances(batch), [bsz, t, t], device: device);
        var c = Learned("position.fire.logC").exp();                                          // [1]
        Tensor threshold = Has("position.fire.threshold")
            ? Learned("position.fire.threshold")
            : Cached("fire-threshold", device, () => tensor(new[] { (float)scheme.Threshold }));
        var normaliser = where(threshold.gt(far), threshold, far);
        normaliser = where(normaliser.gt(1f), normaliser, ones_like(normaliser));
        var psiDistance = (c * distance + 1).log();
        var psiNormaliser = (c * normaliser + 1).log();
        var u = offset.sign() * psiDistance / psiNormaliser;                                  // [B, T, T]
        var hidden = nn.functional.relu(u.unsqueeze(-1) * Learned("position.fire.w1") + Learned("position.fire.b1"));
        var w2 = Learned("position.fire.w2");
        var bias = Checked.MatMul(hidden, w2.t(), "FIRE MLP") + Learned("position.fire.b2");   // [B, T, T, H]
        return logits + bias.permute(0, 3, 1, 2);
    }

    private static Tensor RelativeOffsets(int t)
    {
        var r = new float[t * t];
        for (int i = 0; i < t; i++)
        {
            for (int j = 0; j < t; j++)
            {
                r[(i * t) + j] = j - i;
            }
        }
        return tensor(r, [t, t]);
    }

    // far(b, i, j) = P(N_b - 1) - P(i) for keys right of the query, P(i) otherwise, P(t) = t unless positions are explicit
    // (the diagonal's value does not matter: u = 0).
    private static float[] FarDistances(TorchBatch batch)
    {
        int t = batch.Length;
        var far = new float[batch.Batch * t * t];
        for (int b = 0; b < batch.Batch; b++)
        {
            int last = batch.Position(b, batch.Lengths[b] - 1);
            for (int i = 0; i < t; i++)
            {
                int at = batch.Position(b, i);
                for (int j = 0; j < t; j++)
                {
                    far[(((b * t) + i) * t) + j] = j > i ? last - at : at;
                }
            }
        }
        return far;
    }

}
