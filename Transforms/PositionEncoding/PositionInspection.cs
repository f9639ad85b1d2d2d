namespace MLComponents.Numerics;

/// <summary>
/// Inspection of an absolute scheme's module (sinusoidal, learned, the scaled scheme's embedding form): the encoding
/// vector of every position, as the embeddings hook adds or concatenates it. Fixed schemes also offer the same table on
/// the scheme object. For the scaled embedding form, whose vectors depend on the real length N, <see cref="Encodings"/>
/// answers for a sequence of exactly that many real tokens (N = length).
/// </summary>
public interface IAbsolutePositionSource
{
    /// <summary>Width of one position's encoding.</summary>
    int EncodingWidth { get; }

    /// <summary>Encodings, row-major [length, <see cref="EncodingWidth"/>].</summary>
    float[] Encodings(int length);
}

/// <summary>
/// Inspection of a relative scheme's module whose logit term is a bias independent of the query content
/// (ALiBi, T5, FIRE, scaled relative): the bias the logits hook adds.
/// </summary>
public interface IRelativeBiasSource
{
    /// <summary>Number of heads (the bias's first axis).</summary>
    int Heads { get; }

    /// <summary>
    /// Bias row-major [Heads, length, length] (query i, key j) for a sequence padded to <paramref name="length"/>
    /// whose real length is <paramref name="sequenceLength"/> (only FIRE and the scaled scheme depend on it).
    /// </summary>
    float[] Bias(int length, int sequenceLength);
}

/// <summary>Seeded initialisation shared by the learned schemes, so the same seed gives the same weights everywhere.</summary>
internal static class PositionInit
{
    public static void Normal(Random rng, Span<float> values, double std)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }

    public static void Uniform(Random rng, Span<float> values, double bound)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(((2 * rng.NextDouble()) - 1) * bound);
    }
}

/// <summary>A reusable scratch array that grows to the largest size asked for, so hot paths do not allocate.</summary>
internal struct Scratch
{
    private float[] _buffer;

    public float[] Get(int length)
    {
        if (_buffer is null || _buffer.Length < length) _buffer = new float[length];
        return _buffer;
    }

    public float[] GetCleared(int length)
    {
        var b = Get(length);
        Array.Clear(b, 0, length);
        return b;
    }
}
