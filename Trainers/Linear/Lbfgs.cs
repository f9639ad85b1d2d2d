namespace MLComponents;

/// <summary>
/// Limited-memory BFGS for a smooth convex objective: two-loop recursion over the last m (s, y) pairs, initial Hessian
/// scaled by s.y / y.y, backtracking line search to the Armijo condition. Pairs with s.y &lt;= 0 are skipped (keeping
/// the approximation positive definite), and a non-descent direction resets the memory to steepest descent. Everything
/// is sequential double arithmetic, so a run is bit-for-bit repeatable.
/// </summary>
internal static class Lbfgs
{
    /// <summary>Evaluates the objective at x and writes its gradient.</summary>
    public delegate double Objective(double[] x, double[] gradient);

    /// <summary>Minimises from <paramref name="x"/> (updated in place); returns the iterations run.</summary>
    public static int Minimize(Objective f, double[] x, int maxIterations, double tolerance, int memory)
    {
        int n = x.Length;
        var g = new double[n];
        var gNew = new double[n];
        var xNew = new double[n];
        var d = new double[n];
        var s = new double[memory][];
        var y = new double[memory][];
        var rho = new double[memory];
        var alpha = new double[memory];
        for (int i = 0; i < memory; i++) { s[i] = new double[n]; y[i] = new double[n]; }
        int stored = 0, head = 0;

        double fx = f(x, g);
        int iter = 0;
        while (iter < maxIterations)
        {
            iter++;
            if (Norm(g) <= tolerance) break;
            // Two-loop recursion: d = -H g.
            Array.Copy(g, d, n);
            for (int k = 0; k < stored; k++)
            {
                int i = (head - 1 - k + memory) % memory;
                alpha[i] = rho[i] * Dot(s[i], d);
                Axpy(-alpha[i], y[i], d);
            }
            if (stored > 0)
            {
                int last = (head - 1 + memory) % memory;
                Scale(d, Dot(s[last], y[last]) / Dot(y[last], y[last]));
            }
            for (int k = stored - 1; k >= 0; k--)
            {
                int i = (head - 1 - k + memory) % memory;
                double beta = rho[i] * Dot(y[i], d);
                Axpy(alpha[i] - beta, s[i], d);
            }
            Scale(d, -1);
            double slope = Dot(g, d);
            if (!(slope < 0))
            {
                for (int j = 0; j < n; j++) d[j] = -g[j];
                slope = Dot(g, d);
                stored = 0;
            }
            // The first step has no curvature information: keep it to unit length.
            double step = stored == 0 ? Math.Min(1, 1 / Math.Sqrt(-slope)) : 1;
            double fNew = double.NaN;
            bool accepted = false;
            for (int tries = 0; tries < 50; tries++)
            {
                for (int j = 0; j < n; j++) xNew[j] = x[j] + (step * d[j]);
                fNew = f(xNew, gNew);
                if (fNew <= fx + (1e-4 * step * slope)) { accepted = true; break; }
                step *= 0.5;
            }
            if (!accepted) break;
            var sNew = s[head];
            var yNew = y[head];
            for (int j = 0; j < n; j++)
            {
                sNew[j] = xNew[j] - x[j];
                yNew[j] = gNew[j] - g[j];
            }
            double sy = Dot(sNew, yNew);
            if (sy > 1e-12)
            {
                rho[head] = 1 / sy;
                head = (head + 1) % memory;
                stored = Math.Min(stored + 1, memory);
            }
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            double change = fx - fNew;
            fx = fNew;
            if (change <= tolerance * Math.Max(1, Math.Abs(fx))) break;
        }
        return iter;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    private static void Scale(double[] x, double a)
    {
        for (int i = 0; i < x.Length; i++) x[i] *= a;
    }
}
