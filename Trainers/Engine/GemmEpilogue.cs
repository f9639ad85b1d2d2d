using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLComponents.Engine;

/// <summary>
/// Work the GEMM does on each finished C tile while it is still in L1: add a bias per column, then a residual
/// matrix, and optionally write gelu(C) to a second matrix (the feed-forward layer keeps both). Each is applied
/// after the product's last multiply-add in the order separate passes would apply them, so fused and unfused
/// results have the same bits.
/// </summary>
internal readonly unsafe struct GemmEpilogue
{
    /// <summary>Epilogue with a bias per column (or none) and optionally gelu(C) into <paramref name="activated"/>.</summary>
    /// <param name="bias">Bias per column of C, or null.</param>
    /// <param name="activated">Where gelu(C) goes, addressed like C (same origin and row stride), or null.</param>
    /// <param name="residual">A matrix added after the bias, addressed like C, or null.</param>
    /// <param name="geluInput">
    /// The backward through a GELU: C (a gradient w.r.t. GELU's output) is multiplied by gelu'(geluInput), addressed like C,
    /// once the product is finished; or null.
    /// </param>
    public GemmEpilogue(float* bias, float* activated, float* residual = null, float* geluInput = null)
    {
        Bias = bias;
        Activated = activated;
        Residual = residual;
        GeluInput = geluInput;
    }

    public float* Bias { get; }

    public float* Activated { get; }

    public float* Residual { get; }

    public float* GeluInput { get; }

    public bool IsEmpty => Bias == null && Activated == null && Residual == null && GeluInput == null;

    /// <summary>True when <see cref="Finish"/> has anything to do on a finished block.</summary>
    public bool HasBlockWork => Activated != null || GeluInput != null;

    /// <summary>True when <see cref="Apply"/> has anything to do on a tile.</summary>
    public bool HasTileWork => Bias != null || Residual != null;

    /// <summary>The same epilogue for a block of C starting <paramref name="rows"/> rows further down.</summary>
    public GemmEpilogue Down(int rows, nint ldc) =>
        new(Bias, Activated == null ? null : Activated + rows * ldc, Residual == null ? null : Residual + rows * ldc,
            GeluInput == null ? null : GeluInput + rows * ldc);

    /// <summary>Adds the bias, then the residual, to C[row.., col..] (rows x cols), C addressed at c with row stride ldc.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public void Apply(float* c, nint ldc, int row, int col, int rows, int cols)
    {
        if (Bias != null && Residual == null && cols == 16)
        {
            // The common tile: a bias on two registers per row.
            Vector256<float> b0 = Vector256.Load(Bias + col), b1 = Vector256.Load(Bias + col + 8);
            for (int r = 0; r < rows; r++)
            {
                float* cr = c + (row + r) * ldc + col;
                (Vector256.Load(cr) + b0).Store(cr);
                (Vector256.Load(cr + 8) + b1).Store(cr + 8);
            }

            return;
        }

        for (int r = 0; r < rows; r++)
        {
            float* cr = c + (row + r) * ldc + col;
            float* rr = Residual == null ? null : Residual + (row + r) * ldc + col;
            int j = 0;
            for (; j + 8 <= cols; j += 8)
            {
                Vector256<float> v = Vector256.Load(cr + j);
                if (Bias != null)
                {
                    v += Vector256.Load(Bias + col + j);
                }

                if (rr != null)
                {
                    v += Vector256.Load(rr + j);
                }

                v.Store(cr + j);
            }

            for (; j < cols; j++)
            {
                float v = cr[j];
                if (Bias != null)
                {
                    v += Bias[col + j];
                }

                if (rr != null)
                {
                    v += rr[j];
                }

                cr[j] = v;
            }
        }
    }

    /// <summary>
    /// The whole-block work on finished C[row.., col..] (rows x cols), after <see cref="Apply"/>: gelu(C) into
    /// <see cref="Activated"/>, or C *= gelu'(<see cref="GeluInput"/>), each row as the separate GELU passes compute it.
    /// </summary>
    public void Finish(float* c, nint ldc, int row, int col, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            float* cr = c + (row + r) * ldc + col;
            if (Activated != null)
            {
                GeluLayer.Forward(cr, Activated + (row + r) * ldc + col, cols);
            }

            if (GeluInput != null)
            {
                GeluLayer.Backward(GeluInput + (row + r) * ldc + col, cr, cr, cols);
            }
        }
    }
}
