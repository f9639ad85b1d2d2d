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
    /// Forward with the bias added, then <paramref name="residual"/> when given (y = xW^T + b + residual), and when
    /// <paramref name="gelu"/> is given gelu(y) written there too, by the product itself on finished tiles (the same
    /// bits as separate passes, without re-reading y).
    /// </summary>
    internal static unsafe void Forward(float[] x, float[] weight, float[]? bias, float[] y, float[]? gelu, int rows, int inputs, int outputs, int threads,
        float[]? residual = null)
    {
        if (bias is not null && bias.Length < outputs)
        {
            throw new ArgumentException($"bias holds {bias.Length} values; {outputs} are needed.", nameof(bias));
        }

        if (gelu is not null && gelu.Length < rows * outputs)
        {
            throw new ArgumentException($"gelu holds {gelu.Length} values; {rows * outputs} are needed.", nameof(gelu));
        }

        if (residual is not null && residual.Length < rows * outputs)
        {
            throw new ArgumentException($"residual holds {residual.Length} values; {rows * outputs} are needed.", nameof(residual));
        }

        fixed (float* pb = bias)
        fixed (float* pg = gelu)
        fixed (float* pr = residual)
        {
            Gemm.Multiply(false, true, rows, outputs, inputs, x.AsSpan(0, rows * inputs), inputs,
                weight.AsSpan(0, outputs * inputs), inputs, y.AsSpan(0, rows * outputs), outputs, false, threads, new GemmEpilogue(pb, pg, pr));
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

        // Column sums of dy, each column summed down the rows in order (so the bits do not depend on threads);
        // threads take disjoint column blocks.
        int blocks = (outputs + BiasColumns - 1) / BiasColumns;
        var work = new BiasGradient(dy, dBias, rows, outputs);
        if (Parallelism.Worth(threads, blocks, (long)rows * BiasColumns))
        {
            Parallelism.For(threads, blocks, ref work);
        }
        else
        {
            work.Run(0, blocks);
        }
    }

    /// <summary>Columns of the bias gradient per block: eight registers of running sums.</summary>
    private const int BiasColumns = 64;

    private readonly struct BiasGradient(float[] dy, float[] dBias, int rows, int outputs) : IRangeWork
    {
        public void Run(int start, int end)
        {
            for (int blk = start; blk < end; blk++)
            {
                int from = blk * BiasColumns, to = Math.Min(outputs, from + BiasColumns);
                var db = dBias.AsSpan(from, to - from);
                for (int r = 0; r < rows; r++)
                {
                    TensorPrimitives.Add(db, dy.AsSpan(r * outputs + from, to - from), db);
                }
            }
        }
    }
}
