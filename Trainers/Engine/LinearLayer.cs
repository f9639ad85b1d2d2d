using System.Numerics.Tensors;

namespace MLComponents.Engine;

/// <summary>
/// y[N,out] = x[N,in] W^T + b with W stored [out,in] (the torch nn.Linear layout, so weights map one to one).
/// </summary>
public static class LinearLayer
{
    /// <summary>Forward: overwrites y[0..N*out).</summary>
    public static void Forward(float[] x, float[] weight, float[]? bias, float[] y, int rows, int inputs, int outputs, int threads)
    {
        Gemm.Multiply(false, true, rows, outputs, inputs, x.AsSpan(0, rows * inputs), inputs,
            weight.AsSpan(0, outputs * inputs), inputs, y.AsSpan(0, rows * outputs), outputs, threads: threads);
        if (bias is null)
        {
            return;
        }
        var b = bias.AsSpan(0, outputs);
        for (int r = 0; r < rows; r++)
        {
            var row = y.AsSpan(r * outputs, outputs);
            TensorPrimitives.Add(row, b, row);
        }
    }

    /// <summary>
    /// Backward: dx = dy W (overwritten, or added when <paramref name="accumulateInput"/>; skipped when dx is null);
    /// dW += dy^T x; db += column sums of dy, summed row by row so the order is fixed.
    /// </summary>
    public static void Backward(float[] x, float[] weight, float[] dy, float[]? dx, float[] dWeight, float[]? dBias,
        int rows, int inputs, int outputs, int threads, bool accumulateInput = false)
    {
        if (dx is not null)
        {
            Gemm.Multiply(false, false, rows, inputs, outputs, dy.AsSpan(0, rows * outputs), outputs,
                weight.AsSpan(0, outputs * inputs), inputs, dx.AsSpan(0, rows * inputs), inputs, accumulateInput, threads);
        }
        Gemm.Multiply(true, false, outputs, inputs, rows, dy.AsSpan(0, rows * outputs), outputs,
            x.AsSpan(0, rows * inputs), inputs, dWeight.AsSpan(0, outputs * inputs), inputs, accumulate: true, threads: threads);
        if (dBias is null)
        {
            return;
        }
        var db = dBias.AsSpan(0, outputs);
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(db, dy.AsSpan(r * outputs, outputs), db);
        }
    }
}
