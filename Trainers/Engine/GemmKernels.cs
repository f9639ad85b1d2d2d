using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLComponents.Engine;

/// <summary>
/// The AVX2/FMA register-blocked 6x16 micro-kernels: C[6,16] (+)= A[6,kc] B[kc,16] held in 12 ymm
/// accumulators. Each C element is the fused-multiply-add chain over p in increasing order (starting from
/// zero or from C), the same arithmetic as <see cref="GemmScalar"/>, so every path gives identical bits.
/// </summary>
internal static unsafe class GemmKernels
{
    /// <summary>Rows of C per micro-tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of C per micro-tile (two ymm vectors).</summary>
    public const int NR = 16;

    /// <summary>True when the vector kernels can run on this machine.</summary>
    public static bool IsSupported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// Whether full 6 x 32 tiles (two adjacent 16-wide B panels) run the Vector512 kernel: by default where AVX-512F
    /// is accelerated. Tests force it on (it then runs in software, same bits) and off, so both paths stay tested
    /// whatever the machine has.
    /// </summary>
    internal static bool UseVector512 => t_forceVector512 ?? HasVector512;

    /// <summary>Tests only: override <see cref="UseVector512"/> on the calling thread (null: the machine's default).</summary>
    internal static bool? ForceVector512
    {
        get => t_forceVector512;
        set => t_forceVector512 = value;
    }

    private static readonly bool HasVector512 = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    [ThreadStatic]
    private static bool? t_forceVector512;

    /// <summary>
    /// A is addressed as a + r + p*aStep (packed panels: aStep = MR; op(A) = A^T read in place: aStep = lda);
    /// B as b + j + p*bStep (packed panels: bStep = NR; B read in place: bStep = ldb).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelColumnA(nint kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, bool load)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
            c10 = Avx.LoadVector256(c + ldc); c11 = Avx.LoadVector256(c + ldc + 8);
            c20 = Avx.LoadVector256(c + 2 * ldc); c21 = Avx.LoadVector256(c + 2 * ldc + 8);
            c30 = Avx.LoadVector256(c + 3 * ldc); c31 = Avx.LoadVector256(c + 3 * ldc + 8);
            c40 = Avx.LoadVector256(c + 4 * ldc); c41 = Avx.LoadVector256(c + 4 * ldc + 8);
            c50 = Avx.LoadVector256(c + 5 * ldc); c51 = Avx.LoadVector256(c + 5 * ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            Vector256<float> av = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
            a += aStep;
            b += bStep;
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01);
        Avx.Store(c + ldc, c10); Avx.Store(c + ldc + 8, c11);
        Avx.Store(c + 2 * ldc, c20); Avx.Store(c + 2 * ldc + 8, c21);
        Avx.Store(c + 3 * ldc, c30); Avx.Store(c + 3 * ldc + 8, c31);
        Avx.Store(c + 4 * ldc, c40); Avx.Store(c + 4 * ldc + 8, c41);
        Avx.Store(c + 5 * ldc, c50); Avx.Store(c + 5 * ldc + 8, c51);
    }

    /// <summary>
    /// A is row-major and read in place: row r at a + r*lda, walked along p (op(A) = A). B as in
    /// <see cref="KernelColumnA"/>. Saves packing A when each A panel meets few B panels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelRowA(nint kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, bool load)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
            c10 = Avx.LoadVector256(c + ldc); c11 = Avx.LoadVector256(c + ldc + 8);
            c20 = Avx.LoadVector256(c + 2 * ldc); c21 = Avx.LoadVector256(c + 2 * ldc + 8);
            c30 = Avx.LoadVector256(c + 3 * ldc); c31 = Avx.LoadVector256(c + 3 * ldc + 8);
            c40 = Avx.LoadVector256(c + 4 * ldc); c41 = Avx.LoadVector256(c + 4 * ldc + 8);
            c50 = Avx.LoadVector256(c + 5 * ldc); c51 = Avx.LoadVector256(c + 5 * ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            Vector256<float> av = Avx.BroadcastScalarToVector256(a0 + p);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a1 + p);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a2 + p);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a3 + p);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a4 + p);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a5 + p);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
            b += bStep;
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01);
        Avx.Store(c + ldc, c10); Avx.Store(c + ldc + 8, c11);
        Avx.Store(c + 2 * ldc, c20); Avx.Store(c + 2 * ldc + 8, c21);
        Avx.Store(c + 3 * ldc, c30); Avx.Store(c + 3 * ldc + 8, c31);
        Avx.Store(c + 4 * ldc, c40); Avx.Store(c + 4 * ldc + 8, c41);
        Avx.Store(c + 5 * ldc, c50); Avx.Store(c + 5 * ldc + 8, c51);
    }

    /// <summary>
    /// Edge kernels for the last 1..5 rows of a block: C[rows,16] (+)= A[rows,kc] B[kc,16] with A element (r, p) at
    /// a + r*rowStep + p*colStep (packed: 1, MR; A^T in place: 1, lda; A in place: lda, 1), so a remainder of rows is
    /// computed in place instead of being padded to six and copied through a tile. Same FMA chain per element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelEdge(int rows, nint kc, float* a, nint rowStep, nint colStep, float* b, nint bStep, float* c, nint ldc, bool load)
    {
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            Kernel4(kc, a + r * rowStep, rowStep, colStep, b, bStep, c + r * ldc, ldc, load);
        }

        for (; r + 2 <= rows; r += 2)
        {
            Kernel2(kc, a + r * rowStep, rowStep, colStep, b, bStep, c + r * ldc, ldc, load);
        }

        if (r < rows)
        {
            Kernel1(kc, a + r * rowStep, colStep, b, bStep, c + r * ldc, load);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4(nint kc, float* a, nint rowStep, nint colStep, float* b, nint bStep, float* c, nint ldc, bool load)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31;
        if (load)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
            c10 = Avx.LoadVector256(c + ldc); c11 = Avx.LoadVector256(c + ldc + 8);
            c20 = Avx.LoadVector256(c + 2 * ldc); c21 = Avx.LoadVector256(c + 2 * ldc + 8);
            c30 = Avx.LoadVector256(c + 3 * ldc); c31 = Avx.LoadVector256(c + 3 * ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector256<float>.Zero;
        }

        float* a0 = a, a1 = a + rowStep, a2 = a + 2 * rowStep, a3 = a + 3 * rowStep;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            nint o = p * colStep;
            Vector256<float> av = Avx.BroadcastScalarToVector256(a0 + o);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a1 + o);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a2 + o);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a3 + o);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            b += bStep;
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01);
        Avx.Store(c + ldc, c10); Avx.Store(c + ldc + 8, c11);
        Avx.Store(c + 2 * ldc, c20); Avx.Store(c + 2 * ldc + 8, c21);
        Avx.Store(c + 3 * ldc, c30); Avx.Store(c + 3 * ldc + 8, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel2(nint kc, float* a, nint rowStep, nint colStep, float* b, nint bStep, float* c, nint ldc, bool load)
    {
        Vector256<float> c00, c01, c10, c11;
        if (load)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
            c10 = Avx.LoadVector256(c + ldc); c11 = Avx.LoadVector256(c + ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = Vector256<float>.Zero;
        }

        float* a0 = a, a1 = a + rowStep;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            nint o = p * colStep;
            Vector256<float> av = Avx.BroadcastScalarToVector256(a0 + o);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a1 + o);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            b += bStep;
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01);
        Avx.Store(c + ldc, c10); Avx.Store(c + ldc + 8, c11);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel1(nint kc, float* a, nint colStep, float* b, nint bStep, float* c, bool load)
    {
        Vector256<float> c00, c01;
        if (load)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
        }
        else
        {
            c00 = c01 = Vector256<float>.Zero;
        }

        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> av = Avx.BroadcastScalarToVector256(a + p * colStep);
            c00 = Fma.MultiplyAdd(av, Avx.LoadVector256(b), c00);
            c01 = Fma.MultiplyAdd(av, Avx.LoadVector256(b + 8), c01);
            b += bStep;
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01);
    }

    /// <summary>
    /// C[6,32] (+)= A[6,kc] B[kc,32] in twelve zmm accumulators, B as two 16-wide panels (b0 and b1, each advancing by
    /// bStep per p, so the packed layout is the Vector256 kernels'), A element (r, p) at a + r*rowStep + p*colStep.
    /// Every C element is the same FMA chain as in the 6x16 kernels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x32(nint kc, float* a, nint rowStep, nint colStep, float* b0, float* b1, nint bStep, float* c, nint ldc, bool load)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }

        float* a0 = a, a1 = a + rowStep, a2 = a + 2 * rowStep, a3 = a + 3 * rowStep, a4 = a + 4 * rowStep, a5 = a + 5 * rowStep;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<float> x0 = Vector512.Load(b0);
            Vector512<float> x1 = Vector512.Load(b1);
            nint o = p * colStep;
            Vector512<float> av = Vector512.Create(a0[o]);
            c00 = Vector512.FusedMultiplyAdd(av, x0, c00); c01 = Vector512.FusedMultiplyAdd(av, x1, c01);
            av = Vector512.Create(a1[o]);
            c10 = Vector512.FusedMultiplyAdd(av, x0, c10); c11 = Vector512.FusedMultiplyAdd(av, x1, c11);
            av = Vector512.Create(a2[o]);
            c20 = Vector512.FusedMultiplyAdd(av, x0, c20); c21 = Vector512.FusedMultiplyAdd(av, x1, c21);
            av = Vector512.Create(a3[o]);
            c30 = Vector512.FusedMultiplyAdd(av, x0, c30); c31 = Vector512.FusedMultiplyAdd(av, x1, c31);
            av = Vector512.Create(a4[o]);
            c40 = Vector512.FusedMultiplyAdd(av, x0, c40); c41 = Vector512.FusedMultiplyAdd(av, x1, c41);
            av = Vector512.Create(a5[o]);
            c50 = Vector512.FusedMultiplyAdd(av, x0, c50); c51 = Vector512.FusedMultiplyAdd(av, x1, c51);
            b0 += bStep;
            b1 += bStep;
        }

        c00.Store(c); c01.Store(c + 16);
        c10.Store(c + ldc); c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
    }
}
