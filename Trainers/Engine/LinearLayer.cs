using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>
/// y[N,out] = x[N,in] W^T + b with W stored [out,in] (the torch nn.Linear layout, so weights map one to one).
/// </summary>
public static class LinearLayer
{
    /// <summary>
    /// Up to this many rows (a sentence, a small batch) the product runs weight-stationary: y^T = W x^T, so the
    /// weights are read in place as the kernel's row operand and only the few rows of x are packed, instead of
    /// repacking all of W^T for a handful of rows. Each y element is the same multiply-add chain either way.
    /// </summary>
    internal static int WeightStationaryMaxRows { get; set; } = 48;

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
            if (rows <= WeightStationaryMaxRows && GemmKernels.IsSupported)
            {
                ForwardWeightStationary(x, weight, y, rows, inputs, outputs, threads, new GemmEpilogue(pb, pg, pr));
                return;
            }

            Gemm.Multiply(false, true, rows, outputs, inputs, x.AsSpan(0, rows * inputs), inputs,
                weight.AsSpan(0, outputs * inputs), inputs, y.AsSpan(0, rows * outputs), outputs, false, threads, new GemmEpilogue(pb, pg, pr));
        }
    }

    /// <summary>y^T[out, rows] = W x^T into scratch, then transposed into y with the epilogue applied on the way.</summary>
    private static unsafe void ForwardWeightStationary(float[] x, float[] weight, float[] y, int rows, int inputs, int outputs, int threads,
        GemmEpilogue epilogue)
    {
        float* t = GemmScratch.Current.Transposed(outputs * rows);
        var ty = new Span<float>(t, outputs * rows);
        Gemm.Multiply(false, true, outputs, rows, inputs, weight.AsSpan(0, outputs * inputs), inputs, x.AsSpan(0, rows * inputs), inputs,
            ty, rows, false, threads, default);
        fixed (float* py = y)
        {
            // The pass back (transpose, bias, residual, GELU) is split over blocks of output features when it is
            // worth a hand-off: GELU of a sentence's 32 x 512 up-projection costs as much as a third of its product.
            int blocks = (outputs + OutBlock - 1) / OutBlock;
            var back = new TransposeBack(t, rows, py, outputs, epilogue);
            if (Parallelism.Worth(threads, blocks, (long)rows * OutBlock * (epilogue.Activated != null ? 20 : 1)))
            {
                Parallelism.For(threads, blocks, ref back);
            }
            else
            {
                back.Run(0, blocks);
            }
        }
    }

    /// <summary>Output features per block of the weight-stationary pass back (a multiple of the 8-wide transposes).</summary>
    private const int OutBlock = 64;

    /// <summary>Output features [start * OutBlock, end * OutBlock) of the pass back; each y element's arithmetic is unchanged.</summary>
    private readonly unsafe struct TransposeBack(float* t, int rows, float* y, int outputs, GemmEpilogue epilogue) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int from = start * OutBlock, to = Math.Min(outputs, end * OutBlock);
            float* bias = epilogue.Bias == null ? null : epilogue.Bias + from;
            float* residual = epilogue.Residual == null ? null : epilogue.Residual + from;
            TransposeOut(t + (nint)from * rows, rows, y + from, outputs, rows, to - from, new GemmEpilogue(bias, null, residual));
            if (epilogue.Activated != null)
            {
                epilogue.Finish(y, outputs, 0, from, rows, to - from);
            }
        }
    }

    /// <summary>
    /// y[r, o] = t[o, r] for rows x outputs, then bias and residual as <see cref="GemmEpilogue"/> applies them
    /// (same order, same bits), eight by eight through register transposes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TransposeOut(float* t, int ldt, float* y, int ldy, int rows, int outputs, in GemmEpilogue epilogue)
    {
        float* bias = epilogue.Bias, residual = epilogue.Residual;
        int r = 0;
        for (; r + 8 <= rows; r += 8)
        {
            int o = 0;
            for (; o + 8 <= outputs; o += 8)
            {
                float* src = t + (o * ldt) + r;
                Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ldt);
                Vector256<float> r2 = Avx.LoadVector256(src + 2 * ldt), r3 = Avx.LoadVector256(src + 3 * ldt);
                Vector256<float> r4 = Avx.LoadVector256(src + 4 * ldt), r5 = Avx.LoadVector256(src + 5 * ldt);
                Vector256<float> r6 = Avx.LoadVector256(src + 6 * ldt), r7 = Avx.LoadVector256(src + 7 * ldt);
                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
                r0 = Avx.Permute2x128(s0, s4, 0x20);
                r1 = Avx.Permute2x128(s1, s5, 0x20);
                r2 = Avx.Permute2x128(s2, s6, 0x20);
                r3 = Avx.Permute2x128(s3, s7, 0x20);
                r4 = Avx.Permute2x128(s0, s4, 0x31);
                r5 = Avx.Permute2x128(s1, s5, 0x31);
                r6 = Avx.Permute2x128(s2, s6, 0x31);
                r7 = Avx.Permute2x128(s3, s7, 0x31);
                if (bias != null)
                {
                    Vector256<float> bv = Avx.LoadVector256(bias + o);
                    r0 = Avx.Add(r0, bv); r1 = Avx.Add(r1, bv); r2 = Avx.Add(r2, bv); r3 = Avx.Add(r3, bv);
                    r4 = Avx.Add(r4, bv); r5 = Avx.Add(r5, bv); r6 = Avx.Add(r6, bv); r7 = Avx.Add(r7, bv);
                }

                float* dst = y + (r * ldy) + o;
                if (residual != null)
                {
                    float* res = residual + (r * ldy) + o;
                    r0 = Avx.Add(r0, Avx.LoadVector256(res)); r1 = Avx.Add(r1, Avx.LoadVector256(res + ldy));
                    r2 = Avx.Add(r2, Avx.LoadVector256(res + 2 * ldy)); r3 = Avx.Add(r3, Avx.LoadVector256(res + 3 * ldy));
                    r4 = Avx.Add(r4, Avx.LoadVector256(res + 4 * ldy)); r5 = Avx.Add(r5, Avx.LoadVector256(res + 5 * ldy));
                    r6 = Avx.Add(r6, Avx.LoadVector256(res + 6 * ldy)); r7 = Avx.Add(r7, Avx.LoadVector256(res + 7 * ldy));
                }

                Avx.Store(dst, r0); Avx.Store(dst + ldy, r1); Avx.Store(dst + 2 * ldy, r2); Avx.Store(dst + 3 * ldy, r3);
                Avx.Store(dst + 4 * ldy, r4); Avx.Store(dst + 5 * ldy, r5); Avx.Store(dst + 6 * ldy, r6); Avx.Store(dst + 7 * ldy, r7);
            }

            for (int rr = r; rr < r + 8; rr++)
            {
                for (int oo = o; oo < outputs; oo++)
                {
                    y[rr * ldy + oo] = t[oo * ldt + rr];
                }

                epilogue.Apply(y, ldy, rr, o, 1, outputs - o);
            }
        }

        for (; r < rows; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                y[r * ldy + o] = t[o * ldt + r];
            }

            epilogue.Apply(y, ldy, r, 0, 1, outputs);
        }
    }

    /// <summary>
    /// Backward: dx = dy W (overwritten, or added when <paramref name="accumulateInput"/>; skipped when dx is null);
    /// dW += dy^T x; db += column sums of dy, summed row by row so the order is fixed. With <paramref name="geluInput"/>
    /// (x = gelu(geluInput)), dx goes on through the GELU: dx = (dy W) * gelu'(geluInput), by the product on each finished
    /// block, with the bits of a separate <see cref="GeluLayer.Backward(float[], float[], float[], int, int)"/> pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Backward(float[] x, float[] weight, float[] dy, float[]? dx, float[] dWeight, float[]? dBias,
        int rows, int inputs, int outputs, int threads, bool accumulateInput = false, float[]? geluInput = null)
    {
        if (geluInput is not null && (dx is null || accumulateInput || geluInput.Length < rows * inputs))
        {
            throw new ArgumentException("The GELU backward needs dx overwritten and a gelu input of rows x inputs.", nameof(geluInput));
        }

        if (dx is not null)
        {
            fixed (float* pg = geluInput)
            {
                Gemm.Multiply(false, false, rows, inputs, outputs, dy.AsSpan(0, rows * outputs), outputs,
                    weight.AsSpan(0, outputs * inputs), inputs, dx.AsSpan(0, rows * inputs), inputs, accumulateInput, threads,
                    new GemmEpilogue(null, null, null, pg));
            }
        }
        if (outputs > inputs && rows >= WeightGradientSwapMinRows)
        {
            WeightGradientTransposed(x, dy, dWeight, rows, inputs, outputs, threads);
        }
        else
        {
            Gemm.Multiply(true, false, outputs, inputs, rows, dy.AsSpan(0, rows * outputs), outputs,
                x.AsSpan(0, rows * inputs), inputs, dWeight.AsSpan(0, outputs * inputs), inputs, accumulate: true, threads: threads);
        }
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

    /// <summary>
    /// From this many rows on, a weight gradient with more outputs than inputs (qkv, the feed-forward up-projection) is
    /// computed as its transpose. The product packs its transposed left operand once per block of C rows and reuses it across
    /// C's columns: dW = dy^T x has as many columns as inputs (128), so the strided packing of dy^T is paid over few columns
    /// (57 against 80 GFLOPS on one thread for 512 x 128 x 2048 here); dW^T = x^T dy packs x^T and runs over the outputs.
    /// </summary>
    internal static int WeightGradientSwapMinRows { get; set; } = 256;

    /// <summary>dW += (x^T dy)^T: the product into scratch (each element the same k-ordered multiply-add chain), then a blocked transposed add.</summary>
    private static unsafe void WeightGradientTransposed(float[] x, float[] dy, float[] dWeight, int rows, int inputs, int outputs, int threads)
    {
        float* t = GemmScratch.Current.Transposed(inputs * outputs);
        Gemm.Multiply(true, false, inputs, outputs, rows, x.AsSpan(0, rows * inputs), inputs, dy.AsSpan(0, rows * outputs), outputs,
            new Span<float>(t, inputs * outputs), outputs, accumulate: false, threads: threads);
        const int Tile = 16;
        fixed (float* dw = dWeight)
        {
            for (int o0 = 0; o0 < outputs; o0 += Tile)
            {
                int o1 = Math.Min(outputs, o0 + Tile);
                for (int i0 = 0; i0 < inputs; i0 += Tile)
                {
                    int i1 = Math.Min(inputs, i0 + Tile);
                    for (int o = o0; o < o1; o++)
                    {
                        float* dst = dw + ((nint)o * inputs);
                        for (int i = i0; i < i1; i++)
                        {
                            dst[i] += t[((nint)i * outputs) + o];
                        }
                    }
                }
            }
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
