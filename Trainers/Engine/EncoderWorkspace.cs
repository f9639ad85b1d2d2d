namespace MLComponents.Engine;

/// <summary>
/// Every activation and gradient buffer of a <see cref="TransformerEncoder"/>, planned once for the largest
/// (batch, length) and reused by every step: a step with a smaller batch or shorter length uses prefixes.
/// </summary>
internal sealed class EncoderWorkspace
{
    public EncoderWorkspace(TransformerConfig c, int tokenWidth, int batch, int length, int threads)
    {
        Batch = batch;
        Length = length;
        int rows = batch * length, d = c.ModelDimension;
        bool dropout = c.Dropout > 0;
        Tokens = new float[rows * tokenWidth];
        Embedded = new float[rows * d];
        Blocks = new BlockActivations[c.Layers];
        for (int l = 0; l < c.Layers; l++)
        {
            Blocks[l] = new BlockActivations(rows, batch, length, c, dropout);
        }
        Final = new float[rows * d];
        FinalMean = new float[rows];
        FinalRstd = new float[rows];
        DResidual = new float[rows * d];
        DBranch = new float[rows * d];
        DNorm = new float[rows * d];
        DQkv = new float[rows * 3 * d];
        DHidden = new float[rows * c.FeedForwardDimension];
        DTokens = new float[rows * tokenWidth];
        AttentionGrads = new AttentionGradients(batch, length, d, c.Heads);
        NormScratch = new float[2 * d * Math.Max(1, threads)];
        LengthArrays = new int[batch + 1][];
    }

    public int Batch { get; }
    public int Length { get; }
    public float[] Tokens { get; }
    public float[] Embedded { get; }
    public BlockActivations[] Blocks { get; }
    public float[] Final { get; }
    public float[] FinalMean { get; }
    public float[] FinalRstd { get; }
    public float[] DResidual { get; }
    public float[] DBranch { get; }
    public float[] DNorm { get; }
    public float[] DQkv { get; }
    public float[] DHidden { get; }
    public float[] DTokens { get; }
    public AttentionGradients AttentionGrads { get; }
    public float[] NormScratch { get; }

    /// <summary>One exact-size lengths array per batch size, made on first use (position modules read Lengths[b]).</summary>
    public int[][] LengthArrays { get; }

    public int[] LengthsFor(ReadOnlySpan<int> lengths, int batch)
    {
        var a = LengthArrays[batch] ??= new int[batch];
        lengths[..batch].CopyTo(a);
        return a;
    }
}
