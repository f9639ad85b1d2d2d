namespace MLComponents;

/// <summary>
/// Token vectors from a seeded hashing projection: entry j of token <c>id</c> is a standard-normal value drawn
/// deterministically from (seed, id, j), so nothing but the seed is stored and any id (even one outside the training
/// vocabulary) has a vector. Dims (2m, 2m+1) are one Box-Muller pair: a uniform angle and a Rayleigh radius, so the
/// vector's distribution is unchanged by any rotation of those pairs.
/// </summary>
public static class HashedTokenEmbedding
{
    /// <summary>Writes the vector of <paramref name="id"/> under <paramref name="seed"/> into <paramref name="destination"/> (its length is the width).</summary>
    public static void Write(int seed, int id, Span<float> destination)
    {
        ulong key = Mix(((ulong)(uint)seed << 32) | (uint)id);
        for (int j = 0; j < destination.Length; j += 2)
        {
            ulong h = Mix(key + ((ulong)((j / 2) + 1) * 0x9E3779B97F4A7C15UL));
            // Two 32-bit uniforms strictly inside (0, 1), so the log never sees 0.
            double u1 = ((h >> 32) + 0.5) / 4294967296.0, u2 = ((h & 0xFFFFFFFFUL) + 0.5) / 4294967296.0;
            double r = Math.Sqrt(-2 * Math.Log(u1)), a = 2 * Math.PI * u2;
            destination[j] = (float)(r * Math.Cos(a));
            if (j + 1 < destination.Length) destination[j + 1] = (float)(r * Math.Sin(a));
        }
    }

    /// <summary>The vector of <paramref name="id"/> under <paramref name="seed"/>, of <paramref name="width"/> values.</summary>
    public static float[] Get(int seed, int id, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        var v = new float[width];
        Write(seed, id, v);
        return v;
    }

    // SplitMix64's finaliser: a bijection on 64 bits whose output bits each depend on every input bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
