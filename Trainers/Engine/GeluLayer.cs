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

    // Abramowitz & Stegun 7.1.26: erf(z) = 1 - t (a1 + t (a2 + ... + t a5)) exp(-z^2), t = 1 / (1 + p z), z >= 0,
    // absolute error below 1.5e-7: float precision, and vectorisable where the double erf below is not.
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    /// <summary>Phi(x), and e = exp(-x^2/2) for the derivative, in registers (one pass, no temporaries).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Cdf(Vector256<float> x, out Vector256<float> e)
    {
        // z = |x| / sqrt 2 ; t = 1 / (1 + p z) ; e = exp(-z^2)
        Vector256<float> t = Vector256<float>.One / Vector256.FusedMultiplyAdd(Vector256.Abs(x), Vector256.Create((float)(P * InvSqrt2)), Vector256<float>.One);
        e = VectorMath.Exp(x * x * Vector256.Create(-0.5f));
        Vector256<float> poly = Vector256.FusedMultiplyAdd(Vector256.Create(A5), t, Vector256.Create(A4));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(A3));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(A2));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(A1));
        // erf(|x|/sqrt2) = 1 - poly t e ; Phi = 0.5 + 0.5 sign(x) erf
        Vector256<float> erf = Vector256<float>.One - (poly * t * e);
        erf = Vector256.CopySign(erf, x);
        return Vector256.FusedMultiplyAdd(erf, Vector256.Create(0.5f), Vector256.Create(0.5f));
    }

    /// <summary>gelu(x) of one register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Apply(Vector256<float> x) => x * Cdf(x, out _);

    /// <summary>gelu'(x) of one register: Phi(x) + x phi(x), phi(x) = e / sqrt(2 pi).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Derivative(Vector256<float> x)
    {
        Vector256<float> cdf = Cdf(x, out Vector256<float> e);
        return Vector256.FusedMultiplyAdd(e * x, Vector256.Create((float)InvSqrt2Pi), cdf);
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
