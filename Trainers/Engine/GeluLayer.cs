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

    private static void ForwardRange(float[] x, float[] y, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            double v = x[i];
            y[i] = (float)(0.5 * v * (1.0 + Erf(v * InvSqrt2)));
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
        for (int i = start; i < end; i++)
        {
            double v = x[i];
            double cdf = 0.5 * (1.0 + Erf(v * InvSqrt2));
            double pdf = InvSqrt2Pi * Math.Exp(-0.5 * v * v);
            dx[i] = (float)(dy[i] * (cdf + v * pdf));
        }
    }

    /// <summary>
    /// The error function via the Chebyshev-fitted erfc of Numerical Recipes (fractional error below 1.2e-7
    /// everywhere), evaluated in double: enough for float32 activations.
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
