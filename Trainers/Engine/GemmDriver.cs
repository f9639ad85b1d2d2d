using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>
/// The cache-blocked loop nest around the micro-kernels for one thread's share of C (Goto/BLIS order:
/// k blocks of KC, column blocks of NC with B packed for L3/L1, row blocks of MC kept in L2, then
/// NR x MR micro-tiles). Operand pointers are already offset to the share's first row/column. B may come
/// prepacked (all k blocks, see <see cref="PackAllB"/>), which lets threads share one packed copy.
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

    /// <summary>Pack A (op(A) = A) once each A panel meets at least this many columns of C.</summary>
    internal static int PackAMinCols = 1 << 30;

    /// <summary>Pack A (op(A) = A^T) once each A panel meets at least this many columns of C.</summary>
    internal static int PackATransMinCols = 32;

    /// <summary>True when this product packs B (it is transposed, or enough rows of C reuse it).</summary>
    public static bool PacksB(bool transB, int m) => transB || m >= PackBMinRows;

    /// <summary>Floats of op(B)[k,n] packed whole: every k block's panels, block pc starting at pc * RoundUp(n, NR).</summary>
    public static int PackedBSize(int k, int n) => k * RoundUp(n, GemmKernels.NR);

    /// <summary>Number of NR-wide panels of a packed B with n columns.</summary>
    public static int Panels(int n) => (n + GemmKernels.NR - 1) / GemmKernels.NR;

    /// <summary>Packs panels [first, end) of every k block of op(B)[k,n] into <paramref name="dst"/> (layout of <see cref="PackedBSize"/>).</summary>
    public static void PackAllB(bool transB, float* b, nint ldb, int k, int n, float* dst, int first, int end)
    {
        const int NR = GemmKernels.NR;
        int width = RoundUp(n, NR);
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            float* bK = transB ? b + pc : b + pc * ldb;
            float* block = dst + (nint)pc * width;
            for (int panel = first; panel < end; panel++)
            {
                int j = panel * NR;
                GemmPacking.PackBPanel(transB, transB ? bK + j * ldb : bK + j, ldb, kc, Math.Min(NR, n - j), block + (nint)j * kc);
            }
        }
    }

    /// <summary>
    /// C[m,n] (+)= op(A)[m,k] op(B)[k,n] on the calling thread, then the epilogue on each finished tile.
    /// <paramref name="packedB"/> is op(B) already packed by <see cref="PackAllB"/>, or null to pack (or read) here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate, float* packedB, in GemmEpilogue epilogue)
    {
        const int MR = GemmKernels.MR, NR = GemmKernels.NR;
        GemmScratch scratch = GemmScratch.Current;
        float* edge = scratch.Edge(KC * NR + MR * NR);
        float* bEdge = edge;
        float* tile = bEdge + KC * NR;

        bool prepacked = packedB != null;
        bool packB = !prepacked && PacksB(transB, m);
        bool packA = n >= (transA ? PackATransMinCols : PackAMinCols);
        int ncMax = prepacked ? RoundUp(n, NR) : NC;
        float* bPack = packB ? scratch.B(KC * Math.Min(RoundUp(n, NR), NC)) : null;
        // A's buffer is one full MC x KC block whatever this share's rows: strips are taken dynamically, so a helper
        // sized by the strips it happened to run could grow (allocate) on a later step once warm.
        float* aPack = packA ? scratch.A(KC * MC) : null;
        bool epilogueOn = epilogue.HasTileWork;
        bool wide = GemmKernels.UseVector512;

        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            bool load = accumulate || pc > 0;
            bool last = pc + kc >= k;
            float* aK = transA ? a + pc * lda : a + pc;     // op(A)(0, pc)
            float* bK = transB ? b + pc : b + pc * ldb;     // op(B)(pc, 0)
            for (int jc = 0; jc < n; jc += ncMax)
            {
                int nc = Math.Min(ncMax, n - jc);
                float* bJ = transB ? bK + jc * ldb : bK + jc;
                float* panels = prepacked ? packedB + (nint)pc * RoundUp(n, NR) : bPack;
                if (packB)
                {
                    GemmPacking.PackB(transB, bJ, ldb, kc, nc, bPack);
                }
                else if (!prepacked && nc % NR != 0)
                {
                    int lastFull = nc - nc % NR;
                    GemmPacking.PackB(false, bJ + lastFull, ldb, kc, nc - lastFull, bEdge);
                }

                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    float* aI = transA ? aK + ic : aK + ic * lda;
                    if (packA)
                    {
                        GemmPacking.PackA(transA, aI, lda, mc, kc, aPack);
                    }

                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        float* bp;
                        nint bStep;
                        if (prepacked || packB)
                        {
                            bp = panels + jr * kc;
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

                        if (wide && jr + 2 * NR <= nc)
                        {
                            // Two full panels: whole 6-row tiles as 6 x 32 Vector512 tiles, the rest as usual.
                            float* bp1 = prepacked || packB ? bp + NR * kc : bp + NR;
                            float* cW = c + ic * ldc + jc + jr;
                            int ir = 0;
                            for (; ir + MR <= mc; ir += MR)
                            {
                                if (packA)
                                {
                                    GemmKernels.Kernel6x32(kc, aPack + ir * kc, 1, MR, bp, bp1, bStep, cW + ir * ldc, ldc, load);
                                }
                                else if (transA)
                                {
                                    GemmKernels.Kernel6x32(kc, aI + ir, 1, lda, bp, bp1, bStep, cW + ir * ldc, ldc, load);
                                }
                                else
                                {
                                    GemmKernels.Kernel6x32(kc, aI + ir * lda, lda, 1, bp, bp1, bStep, cW + ir * ldc, ldc, load);
                                }

                                if (last && epilogueOn)
                                {
                                    epilogue.Apply(c, ldc, ic + ir, jc + jr, MR, 2 * NR);
                                }
                            }

                            if (ir < mc)
                            {
                                int mr = mc - ir;
                                for (int half = 0; half < 2; half++)
                                {
                                    float* bh = half == 0 ? bp : bp1;
                                    float* cT = cW + ir * ldc + half * NR;
                                    if (packA)
                                    {
                                        GemmKernels.KernelEdge(mr, kc, aPack + ir * kc, 1, MR, bh, bStep, cT, ldc, load);
                                    }
                                    else if (transA)
                                    {
                                        GemmKernels.KernelEdge(mr, kc, aI + ir, 1, lda, bh, bStep, cT, ldc, load);
                                    }
                                    else
                                    {
                                        GemmKernels.KernelEdge(mr, kc, aI + ir * lda, lda, 1, bh, bStep, cT, ldc, load);
                                    }
                                }

                                if (last && epilogueOn)
                                {
                                    epilogue.Apply(c, ldc, ic + ir, jc + jr, mr, 2 * NR);
                                }
                            }

                            jr += NR;
                            continue;
                        }

                        float* cJ = c + ic * ldc + jc + jr;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            float* cT = cJ + ir * ldc;
                            bool fullColumns = nr == NR;
                            float* cK = fullColumns ? cT : tile;
                            nint ldk = fullColumns ? ldc : NR;
                            if (!fullColumns && load)
                            {
                                CopyTile(cT, ldc, tile, NR, mr, nr);
                            }

                            if (mr == MR)
                            {
                                if (packA)
                                {
                                    GemmKernels.KernelColumnA(kc, aPack + ir * kc, MR, bp, bStep, cK, ldk, load);
                                }
                                else if (transA)
                                {
                                    GemmKernels.KernelColumnA(kc, aI + ir, lda, bp, bStep, cK, ldk, load);
                                }
                                else
                                {
                                    GemmKernels.KernelRowA(kc, aI + ir * lda, lda, bp, bStep, cK, ldk, load);
                                }
                            }
                            else if (packA)
                            {
                                GemmKernels.KernelEdge(mr, kc, aPack + ir * kc, 1, MR, bp, bStep, cK, ldk, load);
                            }
                            else if (transA)
                            {
                                GemmKernels.KernelEdge(mr, kc, aI + ir, 1, lda, bp, bStep, cK, ldk, load);
                            }
                            else
                            {
                                GemmKernels.KernelEdge(mr, kc, aI + ir * lda, lda, 1, bp, bStep, cK, ldk, load);
                            }

                            if (!fullColumns)
                            {
                                CopyTile(tile, NR, cT, ldc, mr, nr);
                            }

                            if (last && epilogueOn)
                            {
                                epilogue.Apply(c, ldc, ic + ir, jc + jr, mr, nr);
                            }
                        }
                    }

                    if (last && epilogue.HasBlockWork)
                    {
                        // The activation (or GELU's derivative) runs over the whole finished block (still in L2) rather
                        // than per tile: long rows keep enough independent exp/divide chains in flight.
                        epilogue.Finish(c, ldc, ic, jc, mc, nc);
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

    internal static int RoundUp(int x, int unit) => (x + unit - 1) / unit * unit;
}
