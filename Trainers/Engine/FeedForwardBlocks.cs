namespace MLComponents.Engine;

/// <summary>
/// The inference feed-forward, out = residual + down(gelu(up(x) + b1)) + b2, a block of rows at a time: each block's
/// hidden rows (rows x F) stay in the thread's own cache-resident scratch between the two products, instead of a
/// [B*T, F] hidden going out to memory and back (2 x 4 MB per layer at the reference shapes, written pre- and
/// post-GELU). Both weights are packed once and shared by every block and thread. Blocks are whole micro-tiles and k is
/// never split, so every element has the bits of the two separate products.
/// </summary>
internal static unsafe class FeedForwardBlocks
{
    /// <summary>Rows per block (a multiple of the micro-tile's 6): 96 x 512 hidden floats, 192 KB, stay in L2.</summary>
    private const int BlockRows = 96;

    /// <summary>True when the shapes are worth blocking (the weight-stationary few-rows path handles small calls).</summary>
    public static bool Applies(int rows) => GemmKernels.IsSupported && rows > LinearLayer.WeightStationaryMaxRows;

    /// <summary>output[rows, d] = residual + down(gelu(x up^T + upBias)) + downBias, with up [f, d] and down [d, f] row-major.</summary>
    public static void Forward(float[] x, float[] up, float[] upBias, float[] down, float[] downBias, float[] residual, float[] output,
        int rows, int d, int f, int threads)
    {
        if (x.Length < rows * d || residual.Length < rows * d || output.Length < rows * d || up.Length < f * d || down.Length < d * f
            || upBias.Length < f || downBias.Length < d)
        {
            throw new ArgumentException($"Feed-forward operands are too small for {rows} rows of {d} -> {f} -> {d}.");
        }

        var scratch = GemmScratch.Current;
        int upSize = GemmDriver.PackedBSize(d, f), downSize = GemmDriver.PackedBSize(f, d);
        float* packed = scratch.SharedB(upSize + downSize);
        fixed (float* px = x, pu = up, pub = upBias, pd = down, pdb = downBias, pr = residual, po = output)
        {
            GemmDriver.PackAllB(true, pu, d, d, f, packed, 0, GemmDriver.Panels(f));
            GemmDriver.PackAllB(true, pd, f, f, d, packed + upSize, 0, GemmDriver.Panels(d));
            var work = new Blocks(px, pub, pdb, pr, po, packed, packed + upSize, rows, d, f);
            WorkerTeam.Run(threads, (rows + BlockRows - 1) / BlockRows, ref work);
        }
    }

    private readonly struct Blocks(float* x, float* upBias, float* downBias, float* residual, float* output, float* packedUp, float* packedDown,
        int rows, int d, int f) : IPartWork
    {
        public void Run(int part)
        {
            int start = part * BlockRows;
            Rows(x, upBias, downBias, residual, output, packedUp, packedDown, start, Math.Min(BlockRows, rows - start), d, f);
        }
    }

    /// <summary>
    /// Rows [start, start + count) on the calling thread, weights already packed (<see cref="GemmDriver.PackAllB"/>, op(B) =
    /// W^T): hidden = gelu(x up^T + b1) in the thread's scratch, activated in place; then output = hidden down^T + b2 + residual.
    /// </summary>
    public static void Rows(float* x, float* upBias, float* downBias, float* residual, float* output, float* packedUp, float* packedDown,
        int start, int count, int d, int f)
    {
        float* hidden = GemmScratch.Current.Hidden(count * f);
        GemmDriver.Run(false, true, count, f, d, x + (nint)start * d, d, null, d, hidden, f, false, packedUp, new GemmEpilogue(upBias, hidden));
        GemmDriver.Run(false, true, count, d, f, hidden, f, null, f, output + (nint)start * d, d, false, packedDown,
            new GemmEpilogue(downBias, null, residual + (nint)start * d));
    }
}
