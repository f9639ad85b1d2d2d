using System.Numerics.Tensors;

namespace MLComponents.Engine;

/// <summary>
/// Row-wise LayerNorm over the last dimension, y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased
/// variance and eps = 1e-5 as in torch nn.LayerNorm. Mean and 1/std are kept per row for the backward pass.
/// </summary>
public static class LayerNormLayer
{
    /// <summary>torch's default epsilon.</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>Forward over <paramref name="rows"/> rows of width <paramref name="dim"/>.</summary>
    public static void Forward(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int rows, int dim, int threads)
    {
        if (Parallelism.Worth(threads, rows, dim * 8L))
        {
            ForwardParallel(x, gamma, beta, y, mean, rstd, rows, dim, threads);
        }
        else
        {
            ForwardRows(x, gamma, beta, y, mean, rstd, dim, 0, rows);
        }
    }

    private static void ForwardParallel(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int rows, int dim, int threads) =>
        Parallelism.ForRanges(threads, rows, (s, e) => ForwardRows(x, gamma, beta, y, mean, rstd, dim, s, e));

    private static void ForwardRows(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int dim, int start, int end)
    {
        var g = gamma.AsSpan(0, dim);
        var b = beta.AsSpan(0, dim);
        for (int r = start; r < end; r++)
        {
            var xr = x.AsSpan(r * dim, dim);
            var yr = y.AsSpan(r * dim, dim);
            float m = TensorPrimitives.Sum(xr) / dim;
            TensorPrimitives.Subtract(xr, m, yr);
            float variance = TensorPrimitives.Dot(yr, yr) / dim;
            float s = 1f / MathF.Sqrt(variance + Epsilon);
            mean[r] = m;
            rstd[r] = s;
            TensorPrimitives.Multiply(yr, s, yr);
            TensorPrimitives.FusedMultiplyAdd(yr, g, b, yr);
        }
    }

    /// <summary>
    /// Backward: dx (overwritten, or added when <paramref name="accumulateInput"/>) from dy; dgamma and dbeta
    /// accumulate, row by row in a fixed order. <paramref name="scratch"/> needs 2*dim floats per thread row range,
    /// i.e. at least 2*dim*threads.
    /// </summary>
    public static void Backward(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx,
        float[] dGamma, float[] dBeta, float[] scratch, int rows, int dim, int threads, bool accumulateInput = false)
    {
        // Parameter gradients first, sequentially over rows (fixed order whatever the thread count).
        var norm = scratch.AsSpan(0, dim);
        var dg = dGamma.AsSpan(0, dim);
        var db = dBeta.AsSpan(0, dim);
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.AsSpan(r * dim, dim);
            TensorPrimitives.Subtract(x.AsSpan(r * dim, dim), mean[r], norm);
            TensorPrimitives.Multiply(norm, rstd[r], norm);
            TensorPrimitives.FusedMultiplyAdd(dyr, norm, dg, dg);
            TensorPrimitives.Add(db, dyr, db);
        }
        if (Parallelism.Worth(threads, rows, dim * 10L))
        {
            BackwardParallel(x, gamma, mean, rstd, dy, dx, scratch, rows, dim, threads, accumulateInput);
        }
        else
        {
            BackwardRows(x, gamma, mean, rstd, dy, dx, scratch, 0, dim, 0, rows, accumulateInput);
        }
    }

    private static void BackwardParallel(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx,
        float[] scratch, int rows, int dim, int threads, bool accumulateInput)
    {
        int chunks = Math.Min(threads, rows);
        if (scratch.Length < 2 * dim * chunks)
        {
            throw new ArgumentException("LayerNorm scratch too small for the thread count.", nameof(scratch));
        }
        Parallelism.ForChunks(chunks, rows, (c, s, e) =>
            BackwardRows(x, gamma, mean, rstd, dy, dx, scratch, 2 * dim * c, dim, s, e, accumulateInput));
    }

    private static void BackwardRows(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx,
        float[] scratch, int scratchOffset, int dim, int start, int end, bool accumulateInput)
    {
        var norm = scratch.AsSpan(scratchOffset, dim);
        var dnorm = scratch.AsSpan(scratchOffset + dim, dim);
        var g = gamma.AsSpan(0, dim);
        for (int r = start; r < end; r++)
        {
            float s = rstd[r];
            TensorPrimitives.Subtract(x.AsSpan(r * dim, dim), mean[r], norm);
            TensorPrimitives.Multiply(norm, s, norm);
            TensorPrimitives.Multiply(dy.AsSpan(r * dim, dim), g, dnorm);
            float meanD = TensorPrimitives.Sum(dnorm) / dim;
            float meanDn = TensorPrimitives.Dot(dnorm, norm) / dim;
            // dx = s * (dnorm - meanD - norm * meanDn)
            TensorPrimitives.Subtract(dnorm, meanD, dnorm);
            TensorPrimitives.MultiplyAdd(norm, -meanDn, dnorm, dnorm);
            var dxr = dx.AsSpan(r * dim, dim);
            if (accumulateInput)
            {
                TensorPrimitives.MultiplyAdd(dnorm, s, dxr, dxr);
            }
            else
            {
                TensorPrimitives.Multiply(dnorm, s, dxr);
            }
        }
    }
}
