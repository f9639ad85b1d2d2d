using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>
/// The plain loop: for tiny products (where packing and tiling cost more than they save) and for CPUs
/// without AVX2/FMA. Each C element is the same fused-multiply-add chain over p as in the kernels.
/// </summary>
internal static unsafe class GemmScalar
{
    /// <summary>C[m,n] (+)= op(A)[m,k] op(B)[k,n].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        nint aRow = transA ? 1 : lda, aCol = transA ? lda : 1;
        nint bRow = transB ? 1 : ldb, bCol = transB ? ldb : 1;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float* ap = a + i * aRow;
                float* bp = b + j * bCol;
                float s = accumulate ? c[i * ldc + j] : 0f;
                for (int p = 0; p < k; p++, ap += aCol, bp += bRow)
                {
                    s = MathF.FusedMultiplyAdd(*ap, *bp, s);
                }

                c[i * ldc + j] = s;
            }
        }
    }
}
