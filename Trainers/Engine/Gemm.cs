namespace MLComponents.Engine;

/// <summary>
/// The engine's one matrix product: C[m,n] (+)= op(A)[m,k] * op(B)[k,n], row-major, where op(X) is X or
/// X transposed (then X is stored [k,m] / [n,k]). Leading dimensions are row strides in elements.
/// TODO(gemm): replace the reference loop with the tuned cache-blocked SIMD kernel.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// C = op(A) op(B) (or C += ... when <paramref name="accumulate"/>). <paramref name="threads"/> &gt; 1 lets
    /// the product split its rows across threads; the result is bit-identical for a given thread count.
    /// </summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate = false, int threads = 1)
    {
        _ = threads;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    s += av * bv;
                }
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s;
            }
        }
    }
}
