using System.Runtime.InteropServices;

namespace MLComponents.Engine;

/// <summary>
/// The engine's one matrix product: C[m,n] (+)= op(A)[m,k] * op(B)[k,n], row-major, where op(X) is X or
/// X transposed (then X is stored [k,m] / [n,k]). Leading dimensions are row strides in elements.
/// </summary>
/// <remarks>
/// Every element of C is computed as one fused-multiply-add chain over k in increasing order (starting
/// from 0, or from C when accumulating), whatever the sizes, tiling path or thread count: work is split
/// over rows or columns of C, never over k, so results are bit-identical for any <c>threads</c>.
/// On x64 with AVX2+FMA the product runs a packed, cache-blocked 6x16 register-tiled kernel.
/// </remarks>
public static class Gemm
{
    /// <summary>Below this many multiply-adds the plain loop beats packing and tiling.</summary>
    private const long ScalarMaxFlops = 2048;

    /// <summary>Below this many multiply-adds a second thread costs more to start than it saves.</summary>
    internal static long ParallelMinFlops = 1L << 20;

    /// <summary>
    /// C = op(A) op(B) (or C += ... when <paramref name="accumulate"/>). <paramref name="threads"/> &gt; 1 lets
    /// the product split its rows or columns across threads; the result is bit-identical for any thread count.
    /// </summary>
    /// <param name="transA">Use A^T: A is stored [k, m].</param>
    /// <param name="transB">Use B^T: B is stored [n, k].</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="a">A, row-major, starting at its first element.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">B, row-major, starting at its first element.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="c">C [m, n], row-major.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting it.</param>
    /// <param name="threads">Most threads the product may use.</param>
    public static unsafe void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate = false, int threads = 1) =>
        Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, threads, default);

    /// <summary>As the public overload, then the epilogue on every element of C (pointers inside it are not checked).</summary>
    internal static unsafe void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate, int threads, in GemmEpilogue epilogue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0)
        {
            return;
        }

        CheckOperand(c, m, n, ldc, nameof(c), nameof(ldc));
        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            if (!epilogue.IsEmpty)
            {
                fixed (float* pc = &MemoryMarshal.GetReference(c))
                {
                    epilogue.Apply(pc, ldc, 0, 0, m, n);
                    epilogue.Finish(pc, ldc, 0, 0, m, n);
                }
            }

            return;
        }

        CheckOperand(a, transA ? k : m, transA ? m : k, lda, nameof(a), nameof(lda));
        CheckOperand(b, transB ? n : k, transB ? k : n, ldb, nameof(b), nameof(ldb));

        fixed (float* pa = &MemoryMarshal.GetReference(a))
        fixed (float* pb = &MemoryMarshal.GetReference(b))
        fixed (float* pc = &MemoryMarshal.GetReference(c))
        {
            long flops = (long)m * n * k;
            if (flops <= ScalarMaxFlops || !GemmKernels.IsSupported)
            {
                GemmScalar.Run(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
                epilogue.Apply(pc, ldc, 0, 0, m, n);
                epilogue.Finish(pc, ldc, 0, 0, m, n);
            }
            else if (threads <= 1 || flops < ParallelMinFlops)
            {
                GemmDriver.Run(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, null, epilogue);
            }
            else
            {
                GemmParallel.Run(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, threads, epilogue);
            }
        }
    }

    /// <summary>Checks that a [rows, cols] operand with row stride ld fits in its span.</summary>
    private static void CheckOperand(ReadOnlySpan<float> x, int rows, int cols, int ld, string name, string ldName)
    {
        if (ld < cols || ld < 1)
        {
            throw new ArgumentOutOfRangeException(ldName, ld, $"Leading dimension of '{name}' must be at least its stored width {cols} (and at least 1).");
        }

        long needed = (long)(rows - 1) * ld + cols;
        if (x.Length < needed)
        {
            throw new ArgumentException($"Operand '{name}' holds {x.Length} floats but a [{rows}, {cols}] matrix with row stride {ld} needs {needed}.", name);
        }
    }
}
