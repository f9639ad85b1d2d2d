using System.Numerics.Tensors;

namespace MLComponents.Engine;

/// <summary>
/// y[N,out] = x[N,in] W^T + b with W stored [out,in] (the torch nn.Linear layout, so weights map one to one).
/// </summary>
public static class LinearLayer
{
    /// <summary>Forward: overwrites y[0..N*out).</summary>
    public static void Forward(float[] x, float[] weight, float[]? bias, float[] y, int rows, int inputs, int outputs, int threads) =>
        Forward(x, weight, bias, y, null, rows, inputs, outputs, threads);

    /// <summary>
    /// Forward with the bias added, and when <paramref name="gelu"/> is given gelu(y) written there too, by the product
    /// itself on each finished tile (the same bits as separate passes, without re-reading y).
    /// </summary>
    internal static unsafe void Forward(float[] x, float[] weight, float[]? bias, float[] y, float[]? gelu, int rows, int inputs, int outputs, int threads)
    {
        if (bias is not null && bias.Length < outputs)
        {
            throw new ArgumentException($"bias holds {bias.Length} values; {outputs} are needed.", nameof(bias));
        }

        if (gelu is not null && gelu.Length < rows * outputs)
        {
            throw new ArgumentException($"gelu holds {gelu.Length} values; {rows * outputs} are needed.", nameof(gelu));
        }

        fixed (float* pb = bias)
        fixed (float* pg = gelu)
        {
            Gemm.Multiply(false, true, rows, outputs, inputs, x.AsSpan(0, rows * inputs), inputs,
                weight.AsSpan(0, outputs * inputs), inputs, y.AsSpan(0, rows * outputs), outputs, false, threads, new GemmEpilogue(pb, pg));
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
