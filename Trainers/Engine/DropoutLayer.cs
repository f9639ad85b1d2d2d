namespace MLComponents.Engine;

/// <summary>
/// Inverted dropout whose mask is a hash of (key, element index) rather than a stream of random numbers, so it
/// needs no storage (backward recomputes it), parallel workers need no shared generator, and a run is
/// repeatable for any thread count. Forward and backward are the same map: y = x * mask / (1 - p).
/// </summary>
public static class DropoutLayer
{
    /// <summary>Builds the key of one dropout site in one training step.</summary>
    public static ulong Key(int seed, long step, int site) =>
        Mix(((ulong)(uint)seed << 32) ^ Mix((ulong)step * 0x9E3779B97F4A7C15UL + (ulong)site));

    /// <summary>y[offset..offset+count) = x * mask / (1 - p); in place allowed. Element i uses hash(key, offset + i).</summary>
    public static void Apply(float[] x, float[] y, int offset, int count, float p, ulong key)
    {
        uint threshold = Threshold(p);
        float scale = 1f / (1f - p);
        for (int i = offset; i < offset + count; i++)
        {
            y[i] = Keep(key, i, threshold) ? x[i] * scale : 0f;
        }
    }

    /// <summary>The 32-bit threshold below which an element is dropped.</summary>
    public static uint Threshold(float p) => (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));

    /// <summary>True when element <paramref name="index"/> survives.</summary>
    public static bool Keep(ulong key, long index, uint threshold) => (uint)(Mix(key + (ulong)index * 0xD1B54A32D192ED03UL) >> 32) >= threshold;

    private static ulong Mix(ulong z)
    {
        // SplitMix64 finaliser: a bijective avalanche, so neighbouring indices get independent bits.
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
