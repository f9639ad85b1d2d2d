using System.Numerics.Tensors;

namespace MLComponents.Engine;

/// <summary>
/// Softmax cross-entropy with torch.nn.CrossEntropyLoss semantics (reduction "mean"): with class weights w and
/// label smoothing s over C classes, loss = sum_i [(1-s) w[y_i] (-log p_i[y_i]) + s/C sum_c w[c] (-log p_i[c])]
/// / sum_i w[y_i]. Without weights every w is 1, so the divisor is the batch size.
/// </summary>
public static class CrossEntropyLoss
{
    /// <summary>Softmax of each row of logits[B,C] into probs (stable: max subtracted).</summary>
    public static void Softmax(float[] logits, float[] probs, int batch, int classes)
    {
        for (int b = 0; b < batch; b++)
        {
            var z = logits.AsSpan(b * classes, classes);
            var p = probs.AsSpan(b * classes, classes);
            TensorPrimitives.Subtract(z, TensorPrimitives.Max(z), p);
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Multiply(p, 1f / TensorPrimitives.Sum(p), p);
        }
    }

    /// <summary>
    /// Loss of probabilities probs[B,C] (from <see cref="Softmax"/>) against labels, and when <paramref name="dLogits"/>
    /// is given its gradient with respect to the logits (overwritten).
    /// </summary>
    public static double Forward(float[] logits, float[] probs, ReadOnlySpan<int> labels, int batch, int classes,
        float[]? classWeights, float labelSmoothing, float[]? dLogits)
    {
        double total = 0, weightSum = 0;
        for (int b = 0; b < batch; b++)
        {
            int y = labels[b];
            if ((uint)y >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), y, $"Label {y} of example {b} is outside [0, {classes}).");
            }
            var z = logits.AsSpan(b * classes, classes);
            float max = TensorPrimitives.Max(z);
            double logSum = Math.Log(SumExp(z, max)) + max;
            double wy = classWeights?[y] ?? 1.0;
            double nll = logSum - z[y];
            double smooth = 0;
            if (labelSmoothing > 0)
            {
                for (int c = 0; c < classes; c++)
                {
                    smooth += (classWeights?[c] ?? 1.0) * (logSum - z[c]);
                }
            }
            total += (1 - labelSmoothing) * wy * nll + labelSmoothing / classes * smooth;
            weightSum += wy;
        }
        if (dLogits is not null)
        {
            float inv = (float)(1.0 / weightSum);
            for (int b = 0; b < batch; b++)
            {
                int y = labels[b];
                float wy = classWeights?[y] ?? 1f;
                var p = probs.AsSpan(b * classes, classes);
                var d = dLogits.AsSpan(b * classes, classes);
                // d/dz (-log p_c) = p - e_c; the smoothing term sums that over c with weights w_c.
                float sw = classWeights is null ? classes : TensorPrimitives.Sum(classWeights.AsSpan(0, classes));
                float a = (1 - labelSmoothing) * wy + labelSmoothing / classes * sw;
                TensorPrimitives.Multiply(p, a * inv, d);
                d[y] -= (1 - labelSmoothing) * wy * inv;
                if (labelSmoothing > 0)
                {
                    for (int c = 0; c < classes; c++)
                    {
                        d[c] -= labelSmoothing / classes * (classWeights?[c] ?? 1f) * inv;
                    }
                }
            }
        }
        return total / weightSum;
    }

    private static double SumExp(ReadOnlySpan<float> z, float max)
    {
        double s = 0;
        foreach (float v in z)
        {
            s += Math.Exp(v - max);
        }
        return s;
    }
}
