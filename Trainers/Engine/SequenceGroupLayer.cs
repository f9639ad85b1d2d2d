using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// A whole encoder layer without dropout, one group of sequences at a time, each group on one thread from start to end:
/// LayerNorm, the qkv product, attention, the out product with its residual, LayerNorm and the feed-forward. A group's
/// rows (128 at the reference shapes) are written and read again while they are still in that core's L2, where layer
/// by layer every intermediate (3 MB of qkv alone) would go out to memory between passes, and the layer costs one
/// hand-off to the helper threads instead of one per pass. The weights are packed once per layer and shared. Every
/// element's arithmetic is that of the separate passes (rows are independent up to attention, which is per sequence),
/// so the bits are the same. Training keeps every activation for the backward as the separate passes do; inference keeps
/// none (attention and the feed-forward hidden rows in per-thread scratch). Needs a scheme whose attention runs unit by
/// unit (see <see cref="FusedAttention.RunsBySequence"/>).
/// </summary>
internal static unsafe class SequenceGroupLayer
{
    /// <summary>About this many rows per group: the group's qkv, hidden and other rows fit in L2 with the packed weights.</summary>
    private const int GroupRows = 128;

    /// <summary>Sequences per group: whole sequences near <see cref="GroupRows"/> rows, and at least two groups per thread.</summary>
    public static int SequencesPerGroup(int batch, int length, int threads) =>
        Math.Max(1, Math.Min(GroupRows / length, batch / (2 * Math.Max(1, threads))));

    /// <summary>
    /// One layer on x[B*T, D] into <c>a.Output</c> (which may be x itself when nothing is kept: each group reads its rows
    /// of x before it writes them). <paramref name="keep"/> fills <paramref name="a"/> for the backward.
    /// </summary>
    public static void Forward(EncoderBlock w, BlockActivations a, float[] x, PositionBatch pb, IRowRotation? rotation,
        int d, int heads, int f, int threads, bool keep)
    {
        a.Attention.Qkv = a.Qkv;
        int qkvSize = GemmDriver.PackedBSize(d, 3 * d), outSize = GemmDriver.PackedBSize(d, d), upSize = GemmDriver.PackedBSize(d, f);
        int downSize = GemmDriver.PackedBSize(f, d);
        float* packed = GemmScratch.Current.SharedB(qkvSize + outSize + upSize + downSize);
        fixed (float* pQkvW = w.QkvWeight.Value, pOutW = w.OutWeight.Value, pUpW = w.UpWeight.Value, pDownW = w.DownWeight.Value)
        fixed (float* pQkvB = w.QkvBias.Value, pOutB = w.OutBias.Value, pUpB = w.UpBias.Value, pDownB = w.DownBias.Value)
        fixed (float* pX = x, pNorm1 = a.Norm1, pQkv = a.Qkv, pMerged = a.Merged, pMiddle = a.Middle, pNorm2 = a.Norm2, pOut = a.Output)
        fixed (float* pUp = a.Up, pGelu = a.Gelu)
        {
            var pack = new Pack(pQkvW, pOutW, pUpW, pDownW, packed, d, f);
            Parallelism.For(threads, pack.Panels, ref pack);
            int perGroup = SequencesPerGroup(pb.Batch, pb.Length, threads);
            var groups = new Groups(w, a, x, pb, rotation, d, heads, f, perGroup, packed, qkvSize, outSize, upSize, keep,
                new Pointers(pX, pNorm1, pQkv, pMerged, pMiddle, pNorm2, pOut, pQkvB, pOutB, pUpB, pDownB, keep ? pUp : null, keep ? pGelu : null));
            WorkerTeam.Run(threads, (pb.Batch + perGroup - 1) / perGroup, ref groups);
        }
    }

    private readonly struct Pointers(float* x, float* norm1, float* qkv, float* merged, float* middle, float* norm2, float* output,
        float* qkvBias, float* outBias, float* upBias, float* downBias, float* up, float* gelu)
    {
        /// <summary>The kept pre-activation hidden rows, or null when nothing is kept.</summary>
        public float* Up { get; } = up;

        /// <summary>The kept activated hidden rows, or null when nothing is kept.</summary>
        public float* Gelu { get; } = gelu;

        public float* X { get; } = x;

        public float* Norm1 { get; } = norm1;

        public float* Qkv { get; } = qkv;

        public float* Merged { get; } = merged;

        public float* Middle { get; } = middle;

        public float* Norm2 { get; } = norm2;

        public float* Output { get; } = output;

        public float* QkvBias { get; } = qkvBias;

        public float* OutBias { get; } = outBias;

        public float* UpBias { get; } = upBias;

        public float* DownBias { get; } = downBias;
    }

    /// <summary>The four weights' panels as one range, so the packing is shared out among the threads.</summary>
    private readonly struct Pack(float* qkv, float* outW, float* up, float* down, float* packed, int d, int f) : IRangeWork
    {
        private int QkvPanels => GemmDriver.Panels(3 * d);

        private int OutPanels => GemmDriver.Panels(d);

        private int UpPanels => GemmDriver.Panels(f);

        public int Panels => QkvPanels + OutPanels + UpPanels + GemmDriver.Panels(d);

        public void Run(int start, int end)
        {
            float* dst = packed;
            int offset = 0;
            Part(qkv, d, d, 3 * d, ref dst, ref offset, QkvPanels, start, end);
            Part(outW, d, d, d, ref dst, ref offset, OutPanels, start, end);
            Part(up, d, d, f, ref dst, ref offset, UpPanels, start, end);
            Part(down, f, f, d, ref dst, ref offset, GemmDriver.Panels(d), start, end);
        }

        /// <summary>Packs this weight's share of panels [start, end) of the combined range, then moves past it.</summary>
        private static void Part(float* weight, int ld, int k, int n, ref float* dst, ref int offset, int panels, int start, int end)
        {
            int first = Math.Max(start - offset, 0), last = Math.Min(end - offset, panels);
            if (first < last)
            {
                GemmDriver.PackAllB(true, weight, ld, k, n, dst, first, last);
            }

            dst += GemmDriver.PackedBSize(k, n);
            offset += panels;
        }
    }

    private readonly struct Groups(EncoderBlock w, BlockActivations a, float[] x, PositionBatch pb, IRowRotation? rotation, int d, int heads, int f,
        int perGroup, float* packed, int qkvSize, int outSize, int upSize, bool keep, Pointers p) : IPartWork
    {
        public void Run(int part)
        {
            int first = part * perGroup, end = Math.Min(pb.Batch, first + perGroup), t = pb.Length;
            int r0 = first * t, rows = (end - first) * t;
            float* packedQkv = packed, packedOut = packed + qkvSize, packedUp = packedOut + outSize, packedDown = packedUp + upSize;
            long clock = StepProfiler.Start();
            LayerNormLayer.ForwardRows(x, w.Norm1Gain.Value, w.Norm1Bias.Value, a.Norm1, a.Norm1Mean, a.Norm1Rstd, d, r0, r0 + rows);
            clock = StepProfiler.Share(StepPart.LayerNorm, clock);
            GemmDriver.Run(false, true, rows, 3 * d, d, p.Norm1 + (nint)r0 * d, d, null, d, p.Qkv + (nint)r0 * 3 * d, 3 * d, false, packedQkv,
                new GemmEpilogue(p.QkvBias, null));
            clock = StepProfiler.Share(StepPart.QkvProjection, clock);
            FusedAttention.ForwardSequences(a.Qkv, a.Merged, a.Attention, pb, d, heads, rotation, keep, first, end);
            clock = StepProfiler.Share(StepPart.Attention, clock);
            GemmDriver.Run(false, true, rows, d, d, p.Merged + (nint)r0 * d, d, null, d, p.Middle + (nint)r0 * d, d, false, packedOut,
                new GemmEpilogue(p.OutBias, null, p.X + (nint)r0 * d));
            clock = StepProfiler.Share(StepPart.OutProjection, clock);
            LayerNormLayer.ForwardRows(a.Middle, w.Norm2Gain.Value, w.Norm2Bias.Value, a.Norm2, a.Norm2Mean, a.Norm2Rstd, d, r0, r0 + rows);
            clock = StepProfiler.Share(StepPart.LayerNorm, clock);
            if (keep)
            {
                // up and gelu(up) kept whole for the backward, as the separate products write them.
                GemmDriver.Run(false, true, rows, f, d, p.Norm2 + (nint)r0 * d, d, null, d, p.Up + (nint)r0 * f, f, false, packedUp,
                    new GemmEpilogue(p.UpBias, p.Gelu + (nint)r0 * f));
                clock = StepProfiler.Share(StepPart.FeedForwardUp, clock);
                GemmDriver.Run(false, true, rows, d, f, p.Gelu + (nint)r0 * f, f, null, f, p.Output + (nint)r0 * d, d, false, packedDown,
                    new GemmEpilogue(p.DownBias, null, p.Middle + (nint)r0 * d));
                StepProfiler.Share(StepPart.FeedForwardDown, clock);
            }
            else
            {
                FeedForwardBlocks.Rows(p.Norm2, p.UpBias, p.DownBias, p.Middle, p.Output, packedUp, packedDown, r0, rows, d, f);
                StepProfiler.Share(StepPart.FeedForwardBlocks, clock);
            }
        }
    }
}
