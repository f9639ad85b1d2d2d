using System.Numerics.Tensors;

namespace MLComponents.Engine;

/// <summary>
/// Row-wise cosine similarity of u[B,D] and v[B,D] and its backward. Norms are floored at
/// <see cref="MinNorm"/> so an all-zero embedding gives cos 0 instead of NaN.
/// </summary>
public static class CosineSimilarity
{
    /// <summary>Smallest norm used in the denominator.</summary>
    public const float MinNorm = 1e-8f;

    /// <summary>cos[b] = u_b . v_b / (|u_b| |v_b|); the norms are kept for <see cref="Backward"/>.</summary>
    public static void Forward(ReadOnlySpan<float> u, ReadOnlySpan<float> v, Span<float> cos, Span<float> normU, Span<float> normV, int batch, int dim)
    {
        for (int b = 0; b < batch; b++)
        {
            var ub = u.Slice(b * dim, dim);
            var vb = v.Slice(b * dim, dim);
            float nu = MathF.Max(TensorPrimitives.Norm(ub), MinNorm), nv = MathF.Max(TensorPrimitives.Norm(vb), MinNorm);
            normU[b] = nu;
            normV[b] = nv;
            cos[b] = TensorPrimitives.Dot(ub, vb) / (nu * nv);
        }
    }

    /// <summary>
    /// Given dL/dcos[B], writes (overwrites) dL/du and dL/dv: dcos/du = v/(|u||v|) - cos u/|u|^2, and symmetrically.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dCos, ReadOnlySpan<float> u, ReadOnlySpan<float> v, ReadOnlySpan<float> cos,
        ReadOnlySpan<float> normU, ReadOnlySpan<float> normV, Span<float> du, Span<float> dv, int batch, int dim)
    {
        for (int b = 0; b < batch; b++)
        {
            var ub = u.Slice(b * dim, dim);
            var vb = v.Slice(b * dim, dim);
            var dub = du.Slice(b * dim, dim);
            var dvb = dv.Slice(b * dim, dim);
            float g = dCos[b], nu = normU[b], nv = normV[b], c = cos[b];
            float cross = g / (nu * nv);
            // du = cross * v - g c / nu^2 * u
            TensorPrimitives.Multiply(vb, cross, dub);
            TensorPrimitives.MultiplyAdd(ub, -g * c / (nu * nu), dub, dub);
            TensorPrimitives.Multiply(ub, cross, dvb);
            TensorPrimitives.MultiplyAdd(vb, -g * c / (nv * nv), dvb, dvb);
        }
    }
}
