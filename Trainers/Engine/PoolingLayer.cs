using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>How token states become one sequence vector.</summary>
public enum Pooling
{
    /// <summary>Mean over real (non-padding) tokens.</summary>
    Mean,

    /// <summary>The first token's state (a CLS token the caller puts at position 0).</summary>
    Cls,
}

/// <summary>Sequence pooling of h[B,T,D] into pooled[B,D].</summary>
public static class PoolingLayer
{
    /// <summary>Forward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Pooling pooling, float[] h, ReadOnlySpan<int> lengths, float[] pooled, int batch, int length, int dim)
    {
        for (int b = 0; b < batch; b++)
        {
            var p = pooled.AsSpan(b * dim, dim);
            if (pooling == Pooling.Cls)
            {
                h.AsSpan(b * length * dim, dim).CopyTo(p);
                continue;
            }
            int n = lengths[b];
            p.Clear();
            for (int t = 0; t < n; t++)
            {
                TensorPrimitives.Add(p, h.AsSpan((b * length + t) * dim, dim), p);
            }
            TensorPrimitives.Multiply(p, 1f / n, p);
        }
    }

    /// <summary>Backward: overwrites dh[B,T,D] (zeros where a token did not contribute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(Pooling pooling, float[] dPooled, ReadOnlySpan<int> lengths, float[] dh, int batch, int length, int dim)
    {
        dh.AsSpan(0, batch * length * dim).Clear();
        for (int b = 0; b < batch; b++)
        {
            var dp = dPooled.AsSpan(b * dim, dim);
            if (pooling == Pooling.Cls)
            {
                dp.CopyTo(dh.AsSpan(b * length * dim, dim));
                continue;
            }
            int n = lengths[b];
            float inv = 1f / n;
            for (int t = 0; t < n; t++)
            {
                TensorPrimitives.Multiply(dp, inv, dh.AsSpan((b * length + t) * dim, dim));
            }
        }
    }
}
