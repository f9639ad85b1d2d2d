using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLComponents.Engine;

/// <summary>
/// Copies blocks of op(A) / op(B) into the micro-panel layouts the kernels stream through:
/// A as [panel of MR rows][p][MR], B as [panel of NR columns][p][NR], padded with zeros so edge
/// tiles run the same kernel (padding only feeds C entries that are thrown away).
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(B)[0..kc, 0..nc] (b points at op(B)(0,0)) into ceil(nc/NR) panels of kc*NR floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, nint ldb, int kc, int nc, float* dst)
    {
        const int NR = GemmKernels.NR;
        for (int j = 0; j < nc; j += NR, dst += kc * NR)
        {
            PackBPanel(transB, transB ? b + j * ldb : b + j, ldb, kc, Math.Min(NR, nc - j), dst);
        }
    }

    /// <summary>Packs one panel: op(B)[0..kc, 0..nr) (nr &lt;= NR, zero-padded to NR) into kc*NR floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PackBPanel(bool transB, float* b, nint ldb, int kc, int nr, float* dst)
    {
        if (!transB)
        {
            PackRowsOfB(b, ldb, kc, nr, dst);
        }
        else
        {
            PackColumnsOfB(b, ldb, kc, nr, dst);
        }
    }

    /// <summary>op(B) = B: each p contributes one contiguous run of nr floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowsOfB(float* b, nint ldb, int kc, int nr, float* dst)
    {
        const int NR = GemmKernels.NR;
        if (nr == NR && Avx.IsSupported)
        {
            for (int p = 0; p < kc; p++, b += ldb, dst += NR)
            {
                Avx.Store(dst, Avx.LoadVector256(b));
                Avx.Store(dst + 8, Avx.LoadVector256(b + 8));
            }
            return;
        }

        for (int p = 0; p < kc; p++, b += ldb, dst += NR)
        {
            int j = 0;
            for (; j < nr; j++)
            {
                dst[j] = b[j];
            }

            for (; j < NR; j++)
            {
                dst[j] = 0f;
            }
        }
    }

    /// <summary>op(B) = B^T: B's rows are op(B)'s columns, so 8x8 blocks are transposed in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackColumnsOfB(float* b, nint ldb, int kc, int nr, float* dst)
    {
        const int NR = GemmKernels.NR;
        int p = 0;
        if (nr == NR && Avx.IsSupported)
        {
            for (; p + 8 <= kc; p += 8)
            {
                Transpose8x8(b + p, ldb, dst + p * NR, NR);
                Transpose8x8(b + 8 * ldb + p, ldb, dst + p * NR + 8, NR);
            }
        }

        for (; p < kc; p++)
        {
            float* d = dst + p * NR;
            int j = 0;
            for (; j < nr; j++)
            {
                d[j] = b[j * ldb + p];
            }

            for (; j < NR; j++)
            {
                d[j] = 0f;
            }
        }
    }

    /// <summary>dst[q*ldd + r] = src[r*lds + q] for an 8x8 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint lds, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * lds);
        Vector256<float> r3 = Avx.LoadVector256(src + 3 * lds);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * lds);
        Vector256<float> r5 = Avx.LoadVector256(src + 5 * lds);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * lds);
        Vector256<float> r7 = Avx.LoadVector256(src + 7 * lds);

        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>
    /// Packs op(A)[0..mc, 0..kc] (a points at op(A)(0,0)) into ceil(mc/MR) panels of kc*MR floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, nint lda, int mc, int kc, float* dst)
    {
        const int MR = GemmKernels.MR;
        int full = mc - mc % MR;
        if (transA && full > 0 && Sse.IsSupported)
        {
            // op(A) = A^T: walk each stored row of A once, front to back, dealing it out to the panels;
            // walking panel by panel instead strides through A and thrashes L1 sets when lda is 2^k-ish.
            for (int p = 0; p < kc; p++)
            {
                float* s = a + p * lda;
                float* d = dst + p * MR;
                for (int i = 0; i < full; i += MR, s += MR, d += kc * MR)
                {
                    Sse.Store(d, Sse.LoadVector128(s));
                    *(double*)(d + 4) = *(double*)(s + 4);
                }
            }

            if (full == mc)
            {
                return;
            }

            a += full;
            dst += full * kc;
            mc -= full;
        }

        for (int i = 0; i < mc; i += MR, dst += kc * MR)
        {
            int mr = Math.Min(MR, mc - i);
            if (transA)
            {
                // op(A)(i+r, p) = a[p*lda + i + r]: MR contiguous floats per p.
                float* s = a + i;
                for (int p = 0; p < kc; p++, s += lda)
                {
                    float* d = dst + p * MR;
                    int r = 0;
                    for (; r < mr; r++)
                    {
                        d[r] = s[r];
                    }

                    for (; r < MR; r++)
                    {
                        d[r] = 0f;
                    }
                }
            }
            else
            {
                // op(A)(i+r, p) = a[(i+r)*lda + p]: walk each row once, scattering with stride MR.
                int r = 0;
                for (; r < mr; r++)
                {
                    float* s = a + (i + r) * lda;
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++)
                    {
                        d[p * MR] = s[p];
                    }
                }

                for (; r < MR; r++)
                {
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++)
                    {
                        d[p * MR] = 0f;
                    }
                }
            }
        }
    }
}
