using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>The parameters of one pre-LayerNorm encoder block.</summary>
internal sealed class EncoderBlock
{
    public EncoderBlock(int index, TransformerConfig c, Random rng)
    {
        int d = c.ModelDimension, f = c.FeedForwardDimension;
        string p = $"layers.{index}.";
        Norm1Gain = ParameterInit.Ones(p + "norm1.weight", [d]);
        Norm1Bias = ParameterInit.Zeros(p + "norm1.bias", [d]);
        QkvWeight = ParameterInit.Normal(p + "attention.qkv.weight", [3 * d, d], rng);
        QkvBias = ParameterInit.Zeros(p + "attention.qkv.bias", [3 * d]);
        OutWeight = ParameterInit.Normal(p + "attention.out.weight", [d, d], rng);
        OutBias = ParameterInit.Zeros(p + "attention.out.bias", [d]);
        Norm2Gain = ParameterInit.Ones(p + "norm2.weight", [d]);
        Norm2Bias = ParameterInit.Zeros(p + "norm2.bias", [d]);
        UpWeight = ParameterInit.Normal(p + "ffn.up.weight", [f, d], rng);
        UpBias = ParameterInit.Zeros(p + "ffn.up.bias", [f]);
        DownWeight = ParameterInit.Normal(p + "ffn.down.weight", [d, f], rng);
        DownBias = ParameterInit.Zeros(p + "ffn.down.bias", [d]);
    }

    public Parameter Norm1Gain { get; }
    public Parameter Norm1Bias { get; }
    public Parameter QkvWeight { get; }
    public Parameter QkvBias { get; }
    public Parameter OutWeight { get; }
    public Parameter OutBias { get; }
    public Parameter Norm2Gain { get; }
    public Parameter Norm2Bias { get; }
    public Parameter UpWeight { get; }
    public Parameter UpBias { get; }
    public Parameter DownWeight { get; }
    public Parameter DownBias { get; }

    public IEnumerable<Parameter> Parameters =>
        [Norm1Gain, Norm1Bias, QkvWeight, QkvBias, OutWeight, OutBias, Norm2Gain, Norm2Bias, UpWeight, UpBias, DownWeight, DownBias];
}

/// <summary>Activations of one block for a planned (batch, length), kept for backward.</summary>
internal sealed class BlockActivations
{
    public BlockActivations(int rows, int batch, int length, TransformerConfig c, bool dropout)
    {
        int d = c.ModelDimension;
        Norm1 = new float[rows * d];
        Norm1Mean = new float[rows];
        Norm1Rstd = new float[rows];
        Qkv = new float[rows * 3 * d];
        Attention = new AttentionActivations(batch, length, d, c.Heads, dropout);
        Merged = new float[rows * d];
        Middle = new float[rows * d];
        Norm2 = new float[rows * d];
        Norm2Mean = new float[rows];
        Norm2Rstd = new float[rows];
        Up = new float[rows * c.FeedForwardDimension];
        Gelu = new float[rows * c.FeedForwardDimension];
        Output = new float[rows * d];
    }

    public float[] Norm1 { get; }
    public float[] Norm1Mean { get; }
    public float[] Norm1Rstd { get; }
    public float[] Qkv { get; }
    public AttentionActivations Attention { get; }
    public float[] Merged { get; }
    public float[] Middle { get; }
    public float[] Norm2 { get; }
    public float[] Norm2Mean { get; }
    public float[] Norm2Rstd { get; }
    public float[] Up { get; }
    public float[] Gelu { get; }

    /// <summary>The block's output residual stream (the next block's input).</summary>
    public float[] Output { get; }
}
