using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>
/// The cache-blocked loop nest around the micro-kernels for one thread's share of C (Goto/BLIS order:
/// k blocks of KC, column blocks of NC with B packed for L3/L1, row blocks of MC kept in L2, then
/// NR x MR micro-tiles). Operand pointers are already offset to the share's first row/column.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Depth of one k block: a packed B micro-panel (KC x NR) stays in L1.</summary>
    public const int KC = 256;

    /// <summary>Rows per A block (multiple of MR): an MC x KC block of A stays in L2.</summary>
    public const int MC = 144;

    /// <summary>Columns per packed B block (multiple of NR).</summary>
    public const int NC = 1024;

    /// <summary>Pack B (op(B) = B) once the block has at least this many rows to reuse it.</summary>
    internal static int PackBMinRows = 48;

    /// <summary>Pack A once each A panel meets at least this many columns of C.</summary>
    internal static int PackAMinCols = 1 << 30;

    /// <summary>C[m,n] (+)= op(A)[m,k] op(B)[k,n] on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        const int MR = GemmKernels.MR, NR = GemmKernels.NR;
        GemmScratch scratch = GemmScratch.Current;
        float* edge = scratch.Edge(KC * (MR + NR) + MR * NR);
        float* aEdge = edge;
        float* bEdge = edge + KC * MR;
        float* tile = bEdge + KC * NR;

        bool packB = transB || m >= PackBMinRows;
        bool packA = n >= PackAMinCols;
        float* bPack = packB ? scratch.B(KC * Math.Min(RoundUp(n, NR), NC)) : null;
        float* aPack = packA ? scratch.A(KC * Math.Min(RoundUp(m, MR), MC)) : null;

        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            bool load = accumulate || pc > 0;
            float* aK = transA ? a + pc * lda : a + pc;     // op(A)(0, pc)
            float* bK = transB ? b + pc : b + pc * ldb;     // op(B)(pc, 0)
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                float* bJ = transB ? bK + jc * ldb : bK + jc;
                if (packB)
                {
                    GemmPacking.PackB(transB, bJ, ldb, kc, nc, bPack);
                }
                else if (nc % NR != 0)
                {
                    int last = nc - nc % NR;
                    GemmPacking.PackB(false, bJ + last, ldb, kc, nc - last, bEdge);
                }

                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    float* aI = transA ? aK + ic : aK + ic * lda;
                    int fullRows = mc - mc % MR;
                    if (packA)
                    {
                        GemmPacking.PackA(transA, aI, lda, mc, kc, aPack);
                    }
                    else if (fullRows != mc)
                    {
                        GemmPacking.PackA(transA, transA ? aI + fullRows : aI + fullRows * lda, lda, mc - fullRows, kc, aEdge);
                    }

                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        float* bp;
                        nint bStep;
                        if (packB)
                        {
                            bp = bPack + jr * kc;
                            bStep = NR;
                        }
                        else if (nr == NR)
                        {
                            bp = bJ + jr;
                            bStep = ldb;
                        }
                        else
                        {
                            bp = bEdge;
                            bStep = NR;
                        }

                        float* cJ = c + ic * ldc + jc + jr;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            float* cT = cJ + ir * ldc;
                            bool full = mr == MR && nr == NR;
                            float* cK = full ? cT : tile;
                            nint ldk = full ? ldc : NR;
                            if (!full && load)
                            {
                                CopyTile(cT, ldc, tile, NR, mr, nr);
                            }

                            if (packA)
                            {
                                GemmKernels.KernelColumnA(kc, aPack + ir * kc, MR, bp, bStep, cK, ldk, load);
                            }
                            else if (mr != MR)
                            {
                                GemmKernels.KernelColumnA(kc, aEdge, MR, bp, bStep, cK, ldk, load);
                            }
                            else if (transA)
                            {
                                GemmKernels.KernelColumnA(kc, aI + ir, lda, bp, bStep, cK, ldk, load);
                            }
                            else
                            {
                                GemmKernels.KernelRowA(kc, aI + ir * lda, lda, bp, bStep, cK, ldk, load);
                            }

                            if (!full)
                            {
                                CopyTile(tile, NR, cT, ldc, mr, nr);
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyTile(float* src, nint lds, float* dst, nint ldd, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<float>(src + r * lds, cols).CopyTo(new Span<float>(dst + r * ldd, cols));
        }
    }

    private static int RoundUp(int x, int unit) => (x + unit - 1) / unit * unit;
}
