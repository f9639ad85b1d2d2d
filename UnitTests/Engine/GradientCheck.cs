using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Engine;

/// <summary>Central finite differences against analytic gradients, and seeded random fills.</summary>
internal static class GradientCheck
{
    public static float[] Random(Random rng, int n, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /// <summary>Sum of out[i] * weights[i] in double: the scalar whose gradient w.r.t. out is the weights.</summary>
    public static double Project(float[] output, float[] weights, int count)
    {
        double s = 0;
        for (int i = 0; i < count; i++)
        {
            s += (double)output[i] * weights[i];
        }
        return s;
    }

    /// <summary>
    /// Perturbs every element of <paramref name="x"/> (or <paramref name="maxChecks"/> spread over it) by +-eps and
    /// compares (L(x+eps) - L(x-eps)) / 2eps with <paramref name="analytic"/>. Fails naming the tensor and index.
    /// Returns the largest numeric gradient magnitude seen.
    /// </summary>
    public static double Check(string name, float[] x, float[] analytic, Func<double> loss, int count = -1,
        float eps = 1e-2f, double absTol = 2e-3, double relTol = 2e-2, int maxChecks = 400, bool requireSignal = true)
    {
        if (count < 0)
        {
            count = x.Length;
        }
        int stride = Math.Max(1, count / maxChecks);
        double maxAbs = 0;
        int checkedCount = 0;
        for (int i = 0; i < count; i += stride)
        {
            float keep = x[i];
            x[i] = keep + eps;
            double up = loss();
            x[i] = keep - eps;
            double down = loss();
            x[i] = keep;
            double numeric = (up - down) / (2.0 * eps);
            double err = Math.Abs(numeric - analytic[i]);
            maxAbs = Math.Max(maxAbs, Math.Abs(numeric));
            checkedCount++;
            Assert.IsLessThanOrEqualTo(absTol + relTol * Math.Abs(numeric), err,
                $"{name}[{i}]: analytic {analytic[i]:G6} vs numeric {numeric:G6}");
        }
        // A check where every gradient is zero would pass trivially; the tensors here all have signal.
        if (requireSignal)
        {
            Assert.IsGreaterThan(1e-3, maxAbs, $"{name}: every numeric gradient is ~0 ({checkedCount} checked), the check is vacuous");
        }
        return maxAbs;
    }
}
