using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLComponents.Engine;

/// <summary>
/// Row-wise LayerNorm over the last dimension, y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased
/// variance and eps = 1e-5 as in torch nn.LayerNorm. Mean and 1/std are kept per row for the backward pass.
/// Each row is one pass of register maths (a row of D = 128 is sixteen registers), not a chain of span calls.
/// </summary>
public static class LayerNormLayer
{
    /// <summary>torch's default epsilon.</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>Rows whose gamma/beta gradients are summed together before blocks are added up in block order.</summary>
    private const int GradientBlock = 32;

    [ThreadStatic]
    private static float[]? t_partials;

    /// <summary>Forward over <paramref name="rows"/> rows of width <paramref name="dim"/>.</summary>
    public static void Forward(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int rows, int dim, int threads)
    {
        if (Parallelism.Worth(threads, rows, dim * 8L))
        {
            var work = new ForwardWork(x, gamma, beta, y, mean, rstd, dim);
            Parallelism.For(threads, rows, ref work);
        }
        else
        {
            ForwardRows(x, gamma, beta, y, mean, rstd, dim, 0, rows);
        }
    }

    private readonly struct ForwardWork(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int dim) : IRangeWork
    {
        public void Run(int start, int end) => ForwardRows(x, gamma, beta, y, mean, rstd, dim, start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForwardRows(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd, int dim, int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        _ = x[(end * dim) - 1] + y[(end * dim) - 1] + gamma[dim - 1] + beta[dim - 1] + mean[end - 1] + rstd[end - 1];
        ref float g = ref MemoryMarshal.GetArrayDataReference(gamma);
        ref float b = ref MemoryMarshal.GetArrayDataReference(beta);
        for (int r = start; r < end; r++)
        {
            ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), r * dim);
            ref float yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), r * dim);
            // Mean and variance as torch-matching span sums (the golden test's Adam steps are sensitive to their
            // rounding); y holds x - m in between, so the row is read from L1 after the first pass.
            var ys = y.AsSpan(r * dim, dim);
            float m = TensorPrimitives.Sum(x.AsSpan(r * dim, dim)) / dim;
            var vm = Vector256.Create(m);
            int j = 0;
            for (; j + 8 <= dim; j += 8)
            {
                (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm).StoreUnsafe(ref yr, (nuint)j);
            }

            for (; j < dim; j++)
            {
                Unsafe.Add(ref yr, j) = Unsafe.Add(ref xr, j) - m;
            }

            float variance = TensorPrimitives.Dot(ys, ys) / dim;
            float s = 1f / MathF.Sqrt(variance + Epsilon);
            mean[r] = m;
            rstd[r] = s;
            var vs = Vector256.Create(s);
            j = 0;
            for (; j + 8 <= dim; j += 8)
            {
                Vector256<float> n = Vector256.LoadUnsafe(ref yr, (nuint)j) * vs;
                Vector256.FusedMultiplyAdd(n, Vector256.LoadUnsafe(ref g, (nuint)j), Vector256.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
            }

            for (; j < dim; j++)
            {
                Unsafe.Add(ref yr, j) = MathF.FusedMultiplyAdd(Unsafe.Add(ref yr, j) * s, Unsafe.Add(ref g, j), Unsafe.Add(ref b, j));
            }
        }
    }

    /// <summary>
    /// Backward: dx (overwritten, or added when <paramref name="accumulateInput"/>) from dy; dgamma and dbeta
    /// accumulate. The parameter gradients are summed over fixed blocks of rows and the blocks added in order, so
    /// they do not depend on the thread count. <paramref name="scratch"/> is kept for compatibility and not used.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx,
        float[] dGamma, float[] dBeta, float[] scratch, int rows, int dim, int threads, bool accumulateInput = false)
    {
        int blocks = (rows + GradientBlock - 1) / GradientBlock;
        int need = blocks * 2 * dim;
        float[] partials = t_partials is { } p && p.Length >= need ? p : (t_partials = new float[Math.Max(need, 2 * (t_partials?.Length ?? 0))]);
        var work = new BackwardWork(x, gamma, mean, rstd, dy, dx, partials, rows, dim, accumulateInput);
        if (Parallelism.Worth(threads, blocks, GradientBlock * dim * 12L))
        {
            Parallelism.For(threads, blocks, ref work);
        }
        else
        {
            work.Run(0, blocks);
        }

        // Block sums in block order.
        var dg = dGamma.AsSpan(0, dim);
        var db = dBeta.AsSpan(0, dim);
        for (int blk = 0; blk < blocks; blk++)
        {
            TensorPrimitives.Add(dg, partials.AsSpan(blk * 2 * dim, dim), dg);
            TensorPrimitives.Add(db, partials.AsSpan((blk * 2 * dim) + dim, dim), db);
        }
    }

    private readonly struct BackwardWork(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx, float[] partials,
        int rows, int dim, bool accumulateInput) : IRangeWork
    {
        public void Run(int start, int end)
        {
            for (int blk = start; blk < end; blk++)
            {
                BackwardBlock(x, gamma, mean, rstd, dy, dx, partials.AsSpan(blk * 2 * dim, 2 * dim), dim,
                    blk * GradientBlock, Math.Min(rows, (blk + 1) * GradientBlock), accumulateInput);
            }
        }
    }

    /// <summary>dx for rows [start, end), and their dgamma / dbeta sums (row order) into partial[0, dim) / [dim, 2 dim).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardBlock(float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx, Span<float> partial,
        int dim, int start, int end, bool accumulateInput)
    {
        partial.Clear();
        _ = x[(end * dim) - 1] + dy[(end * dim) - 1] + dx[(end * dim) - 1] + gamma[dim - 1] + mean[end - 1] + rstd[end - 1];
        ref float g = ref MemoryMarshal.GetArrayDataReference(gamma);
        ref float pg = ref MemoryMarshal.GetReference(partial);
        ref float pb = ref Unsafe.Add(ref pg, dim);
        float inv = 1f / dim;
        for (int r = start; r < end; r++)
        {
            ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), r * dim);
            ref float dyr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dy), r * dim);
            ref float dxr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dx), r * dim);
            float m = mean[r], s = rstd[r];
            var vm = Vector256.Create(m);
            var vs = Vector256.Create(s);

            // Pass 1: norm = (x - m) s ; dnorm = dy g ; sums of dnorm and dnorm * norm ; dgamma += dy norm ; dbeta += dy.
            Vector256<float> sumD = Vector256<float>.Zero, sumDn = Vector256<float>.Zero;
            int j = 0;
            for (; j + 8 <= dim; j += 8)
            {
                Vector256<float> n = (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm) * vs;
                Vector256<float> d = Vector256.LoadUnsafe(ref dyr, (nuint)j);
                Vector256<float> dn = d * Vector256.LoadUnsafe(ref g, (nuint)j);
                sumD += dn;
                sumDn = Vector256.FusedMultiplyAdd(dn, n, sumDn);
                Vector256.FusedMultiplyAdd(d, n, Vector256.LoadUnsafe(ref pg, (nuint)j)).StoreUnsafe(ref pg, (nuint)j);
                (Vector256.LoadUnsafe(ref pb, (nuint)j) + d).StoreUnsafe(ref pb, (nuint)j);
            }

            float sd = Vector256.Sum(sumD), sdn = Vector256.Sum(sumDn);
            for (int q = j; q < dim; q++)
            {
                float n = (Unsafe.Add(ref xr, q) - m) * s;
                float d = Unsafe.Add(ref dyr, q);
                float dn = d * Unsafe.Add(ref g, q);
                sd += dn;
                sdn = MathF.FusedMultiplyAdd(dn, n, sdn);
                Unsafe.Add(ref pg, q) = MathF.FusedMultiplyAdd(d, n, Unsafe.Add(ref pg, q));
                Unsafe.Add(ref pb, q) += d;
            }

            // Pass 2: dx = s (dnorm - mean(dnorm) - norm mean(dnorm norm)).
            float meanD = sd * inv, meanDn = sdn * inv;
            var vmd = Vector256.Create(meanD);
            var vmdn = Vector256.Create(meanDn);
            j = 0;
            for (; j + 8 <= dim; j += 8)
            {
                Vector256<float> n = (Vector256.LoadUnsafe(ref xr, (nuint)j) - vm) * vs;
                Vector256<float> dn = Vector256.LoadUnsafe(ref dyr, (nuint)j) * Vector256.LoadUnsafe(ref g, (nuint)j);
                Vector256<float> v = ((dn - vmd) + (n * -vmdn)) * vs;
                if (accumulateInput)
                {
                    v += Vector256.LoadUnsafe(ref dxr, (nuint)j);
                }

                v.StoreUnsafe(ref dxr, (nuint)j);
            }

            for (; j < dim; j++)
            {
                float n = (Unsafe.Add(ref xr, j) - m) * s;
                float dn = Unsafe.Add(ref dyr, j) * Unsafe.Add(ref g, j);
                float v = ((dn - meanD) + (n * -meanDn)) * s;
                Unsafe.Add(ref dxr, j) = accumulateInput ? Unsafe.Add(ref dxr, j) + v : v;
            }
        }
    }
}
