using System.Numerics.Tensors;

namespace MLComponents.Engine;

/// <summary>
/// GELU in its exact form, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as torch nn.GELU() by default
/// (not the tanh approximation). .NET has no erf, so <see cref="Erf"/> provides one accurate to float precision.
/// </summary>
public static class GeluLayer
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>y = gelu(x) over the first <paramref name="count"/> values.</summary>
    public static void Forward(float[] x, float[] y, int count, int threads)
    {
        if (Parallelism.Worth(threads, count, 20))
        {
            ForwardParallel(x, y, count, threads);
        }
        else
        {
            ForwardRange(x, y, 0, count);
        }
    }

    private static void ForwardParallel(float[] x, float[] y, int count, int threads) =>
        Parallelism.ForRanges(threads, count, (s, e) => ForwardRange(x, y, s, e));

    private const int Chunk = 256;

    // Abramowitz & Stegun 7.1.26: erf(z) = 1 - t (a1 + t (a2 + ... + t a5)) exp(-z^2), t = 1 / (1 + p z), z >= 0,
    // absolute error below 1.5e-7: float precision, and vectorisable where the double erf below is not.
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    /// <summary>cdf = Phi(x) and e = exp(-x^2/2) for one chunk, with span maths (SIMD) throughout.</summary>
    private static void Cdf(ReadOnlySpan<float> x, Span<float> cdf, Span<float> e)
    {
        // z = |x| / sqrt 2 ; t = 1 / (1 + p z)
        TensorPrimitives.Abs(x, cdf);
        TensorPrimitives.Multiply(cdf, (float)(P * InvSqrt2), cdf);
        TensorPrimitives.Add(cdf, 1f, cdf);
        TensorPrimitives.Reciprocal(cdf, cdf);
        // e = exp(-x^2 / 2) = exp(-z^2)
        TensorPrimitives.Multiply(x, x, e);
        TensorPrimitives.Multiply(e, -0.5f, e);
        TensorPrimitives.Exp(e, e);
        var t = cdf;
        Span<float> poly = stackalloc float[x.Length];
        TensorPrimitives.Multiply(t, A5, poly);
        TensorPrimitives.Add(poly, A4, poly);
        TensorPrimitives.FusedMultiplyAdd(poly, t, A3, poly);
        TensorPrimitives.FusedMultiplyAdd(poly, t, A2, poly);
        TensorPrimitives.FusedMultiplyAdd(poly, t, A1, poly);
        TensorPrimitives.Multiply(poly, t, poly);
        // erf(|x|/sqrt2) = 1 - poly e ; Phi = 0.5 + 0.5 sign(x) erf
        TensorPrimitives.Multiply(poly, e, poly);
        TensorPrimitives.Subtract(1f, poly, poly);
        TensorPrimitives.CopySign(poly, x, poly);
        TensorPrimitives.Multiply(poly, 0.5f, cdf);
        TensorPrimitives.Add(cdf, 0.5f, cdf);
    }

    private static void ForwardRange(float[] x, float[] y, int start, int end)
    {
        Span<float> cdf = stackalloc float[Chunk];
        Span<float> e = stackalloc float[Chunk];
        for (int i = start; i < end; i += Chunk)
        {
            int n = Math.Min(Chunk, end - i);
            var xs = x.AsSpan(i, n);
            Cdf(xs, cdf[..n], e[..n]);
            TensorPrimitives.Multiply(xs, cdf[..n], y.AsSpan(i, n));
        }
    }

    /// <summary>dx = dy * gelu'(x), gelu'(x) = Phi(x) + x phi(x) (overwrites dx; dx may alias dy).</summary>
    public static void Backward(float[] x, float[] dy, float[] dx, int count, int threads)
    {
        if (Parallelism.Worth(threads, count, 20))
        {
            BackwardParallel(x, dy, dx, count, threads);
        }
        else
        {
            BackwardRange(x, dy, dx, 0, count);
        }
    }

    private static void BackwardParallel(float[] x, float[] dy, float[] dx, int count, int threads) =>
        Parallelism.ForRanges(threads, count, (s, e) => BackwardRange(x, dy, dx, s, e));

    private static void BackwardRange(float[] x, float[] dy, float[] dx, int start, int end)
    {
        Span<float> cdf = stackalloc float[Chunk];
        Span<float> e = stackalloc float[Chunk];
        for (int i = start; i < end; i += Chunk)
        {
            int n = Math.Min(Chunk, end - i);
            var xs = x.AsSpan(i, n);
            Cdf(xs, cdf[..n], e[..n]);
            // gelu'(x) = Phi(x) + x phi(x), phi(x) = e / sqrt(2 pi)
            TensorPrimitives.Multiply(e[..n], xs, e[..n]);
            TensorPrimitives.MultiplyAdd(e[..n], (float)InvSqrt2Pi, cdf[..n], cdf[..n]);
            TensorPrimitives.Multiply(dy.AsSpan(i, n), cdf[..n], dx.AsSpan(i, n));
        }
    }

    /// <summary>
    /// The error function in double via the Chebyshev-fitted erfc of Numerical Recipes (fractional error below
    /// 1.2e-7): a scalar reference for tests of the vectorised form the layer uses.
    /// </summary>
    public static double Erf(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double erfc = t * Math.Exp(poly);
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }
}
