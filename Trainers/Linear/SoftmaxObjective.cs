namespace MLComponents;

/// <summary>
/// Mean multinomial log-loss + lambda/2 ||W||^2 over an in-memory design matrix, and its gradient. Parameters are laid
/// out [W (k x d, row c = class c), b (k)]. Rows are summed in order, so the value is repeatable bit for bit.
/// </summary>
internal sealed class SoftmaxObjective(double[] x, int[] y, int d, int k, double lambda)
{
    private readonly double[] _logits = new double[k];

    public double Evaluate(double[] theta, double[] gradient)
    {
        int n = y.Length, wCount = k * d;
        Array.Clear(gradient);
        double loss = 0;
        var z = _logits;
        for (int i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * d, d);
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                z[c] = theta[wCount + c] + System.Numerics.Tensors.TensorPrimitives.Dot(theta.AsSpan(c * d, d), row);
                max = Math.Max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) sum += Math.Exp(z[c] - max);
            double logSum = max + Math.Log(sum);
            loss += logSum - z[y[i]];
            for (int c = 0; c < k; c++)
            {
                double r = Math.Exp(z[c] - logSum) - (c == y[i] ? 1 : 0);
                gradient[wCount + c] += r;
                // gradient row c += r * x_i
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, r, gradient.AsSpan(c * d, d), gradient.AsSpan(c * d, d));
            }
        }
        double invN = 1.0 / n, penalty = 0;
        for (int j = 0; j < gradient.Length; j++) gradient[j] *= invN;
        for (int j = 0; j < wCount; j++)
        {
            penalty += theta[j] * theta[j];
            gradient[j] += lambda * theta[j];
        }
        return (loss * invN) + (0.5 * lambda * penalty);
    }
}
