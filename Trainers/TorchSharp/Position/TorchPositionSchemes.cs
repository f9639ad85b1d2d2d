using MLComponents.Numerics;

namespace MLComponents.TorchSharp.Position;

/// <summary>Builds the TorchSharp counterpart of a scheme for an encoder geometry.</summary>
internal static class TorchPositionSchemes
{
    /// <summary>
    /// The scheme's TorchSharp module. <paramref name="managed"/> is the managed module of the same encoder: its
    /// parameters fix the learned tensors' names and shapes (their values are copied separately, by name).
    /// </summary>
    public static TorchPositionScheme Create(PositionEncoding scheme, PositionModule managed, int modelDimension, int heads)
    {
        var parameters = managed.Parameters;
        int headDimension = modelDimension / heads;
        return scheme switch
        {
            NoPositionEncoding => new TorchNoPosition(),
            SinusoidalEncoding s => new TorchSinusoidal(s, modelDimension),
            LearnedAbsoluteEncoding s => new TorchLearnedAbsolute(s, parameters),
            ScaledRelativeEncoding { Form: ScaledForm.Embedding } s => new TorchScaledEmbedding(s, modelDimension),
            ScaledRelativeEncoding s => new TorchScaledRelative(s, heads, parameters),
            ShawRelativeEncoding s => new TorchShawRelative(s, parameters),
            T5BiasEncoding s => new TorchT5Bias(s, heads, parameters),
            RotaryEncoding s => new TorchRotary(RotaryTables.For(s, headDimension)),
            XPosEncoding s => new TorchRotary(RotaryTables.For(s, headDimension)),
            AlibiEncoding s => new TorchAlibi(s, heads, parameters),
            FireEncoding s => new TorchFire(s, parameters),
            _ => throw new NotSupportedException($"Position scheme '{scheme.Kind}' has no TorchSharp implementation."),
        };
    }
}
