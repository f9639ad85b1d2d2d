using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLComponents.Engine;

/// <summary>
/// GELU in its exact form, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as torch nn.GELU() by default
/// (not the tanh approximation). .NET has no erf, so <see cref="Erf"/> provides one accurate to float precision.
/// </summary>
public static class GeluLayer
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>Elements per parallel unit: big enough that a unit's work dwarfs handing it to a thread.</summary>
    private const int Block = 4096;

    /// <summary>y = gelu(x) over the first <paramref name="count"/> values.</summary>
    public static void Forward(float[] x, float[] y, int count, int threads)
    {
        int blocks = (count + Block - 1) / Block;
        if (Parallelism.Worth(threads, blocks, 20L * Block))
        {
            ForwardParallel(x, y, count, blocks, threads);
        }
        else
        {
            ForwardRange(x, y, 0, count);
        }
    }

    private static void ForwardParallel(float[] x, float[] y, int count, int blocks, int threads)
    {
        var work = new Blocks(x, null, y, count, false);
        Parallelism.For(threads, blocks, ref work);
    }

    private readonly struct Blocks(float[] x, float[]? dy, float[] y, int count, bool backward) : IRangeWork
    {
        public void Run(int start, int end)
        {
            if (backward)
            {
                BackwardRange(x, dy!, y, start * Block, Math.Min(count, end * Block));
            }
            else
            {
                ForwardRange(x, y, start * Block, Math.Min(count, end * Block));
            }
        }
    }

    // Phi(x) = 1/2 + x P(x^2) / Q(x^2) on |x| <= XMax: a (6, 4) rational fitted here to 0.5 erf(x / sqrt 2) (weighted
    // least squares iterated towards equal ripple on a Chebyshev grid, coefficients rounded to float), absolute error
    // below 2.1e-7 in float arithmetic with FMA (the former erf with an exp: 2.6e-7). Eleven FMAs and one division, no exp:
    // about half the instructions. Past XMax, Phi is 1 (or 0) to float precision; below -XMax it is set to 0 exactly.
    private const float XMax = 5.5437174f;
    private const float P0 = 0.39894214f, P1 = 0.036441725f, P2 = 0.0045432877f, P3 = 0.00017563195f, P4 = 3.2925782e-06f,
        P5 = -2.2032287e-08f, P6 = 1.10025246e-10f;
    private const float Q1 = 0.25801024f, Q2 = 0.02939437f, Q3 = 0.0018614776f, Q4 = 6.402373e-05f;

    /// <summary>Phi(x), the standard normal CDF, of one register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Cdf(Vector256<float> x)
    {
        Vector256<float> c = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-XMax)), Vector256.Create(XMax));
        Vector256<float> s = c * c;
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P6), s, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(P0));
        Vector256<float> q = Vector256.FusedMultiplyAdd(Vector256.Create(Q4), s, Vector256.Create(Q3));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(Q2));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256.Create(Q1));
        q = Vector256.FusedMultiplyAdd(q, s, Vector256<float>.One);
        Vector256<float> phi = (c * p) / q + Vector256.Create(0.5f);
        return Vector256.AndNot(phi, Vector256.LessThan(x, Vector256.Create(-XMax)));
    }

    /// <summary>gelu(x) of one register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Apply(Vector256<float> x) => x * Cdf(x);

    /// <summary>gelu'(x) of one register: Phi(x) + x phi(x), phi(x) = e / sqrt(2 pi).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Derivative(Vector256<float> x)
    {
        Vector256<float> e = VectorMath.Exp(x * x * Vector256.Create(-0.5f));
        return Vector256.FusedMultiplyAdd(e * x, Vector256.Create((float)InvSqrt2Pi), Cdf(x));
    }

    private static unsafe void ForwardRange(float[] x, float[] y, int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        _ = x[end - 1] + y[end - 1];
        fixed (float* px = x, py = y)
        {
            Forward(px + start, py + start, end - start);
        }
    }

    /// <summary>
    /// y[0, n) = gelu(x[0, n)), the whole loop in one method so the erf and exp maths inline into it (callers of the
    /// register form in bigger methods ran out of inlining budget and paid a call per register).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Forward(float* x, float* y, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            Apply(Vector256.Load(x + i)).Store(y + i);
        }

        if (i < n)
        {
            // The tail through the same register maths on a zero-padded copy (lanes are independent).
            float* tail = stackalloc float[8];
            for (int j = 0; j < 8; j++)
            {
                tail[j] = i + j < n ? x[i + j] : 0f;
            }

            Vector256<float> v = Apply(Vector256.Load(tail));
            for (int j = 0; i + j < n; j++)
            {
                y[i + j] = v.GetElement(j);
            }
        }
    }

    /// <summary>dx[0, n) = dy * gelu'(x) (dx may alias dy), in one method for the same reason as <see cref="Forward(float*, float*, int)"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Backward(float* x, float* dy, float* dx, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            (Vector256.Load(dy + i) * Derivative(Vector256.Load(x + i))).Store(dx + i);
        }

        if (i < n)
        {
            float* tail = stackalloc float[8];
            for (int j = 0; j < 8; j++)
            {
                tail[j] = i + j < n ? x[i + j] : 0f;
            }

            Vector256<float> d = Derivative(Vector256.Load(tail));
            for (int j = 0; i + j < n; j++)
            {
                dx[i + j] = dy[i + j] * d.GetElement(j);
            }
        }
    }

    /// <summary>dx = dy * gelu'(x), gelu'(x) = Phi(x) + x phi(x) (overwrites dx; dx may alias dy).</summary>
    public static void Backward(float[] x, float[] dy, float[] dx, int count, int threads)
    {
        int blocks = (count + Block - 1) / Block;
        if (Parallelism.Worth(threads, blocks, 20L * Block))
        {
            BackwardParallel(x, dy, dx, count, blocks, threads);
        }
        else
        {
            BackwardRange(x, dy, dx, 0, count);
        }
    }

    private static void BackwardParallel(float[] x, float[] dy, float[] dx, int count, int blocks, int threads)
    {
        var work = new Blocks(x, dy, dx, count, true);
        Parallelism.For(threads, blocks, ref work);
    }

    private static unsafe void BackwardRange(float[] x, float[] dy, float[] dx, int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        _ = x[end - 1] + dy[end - 1] + dx[end - 1];
        fixed (float* px = x, pdy = dy, pdx = dx)
        {
            Backward(px + start, pdy + start, pdx + start, end - start);
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
