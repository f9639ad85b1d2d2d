using MLComponents.Engine;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>Scheme variants the cross-backend tests run over (every scheme and its options that change the maths), and comparisons.</summary>
internal static class TorchTestKit
{
    public static readonly string[] Schemes =
    [
        "none", "sinusoidal", "sinusoidal-concat-split", "learned", "scaled", "scaled-per-layer-split", "shaw", "shaw-keys-only", "t5",
        "rope", "rope-half-fraction-linear", "rope-ntk", "xpos", "xpos-half-fraction", "alibi-bidirectional-learned",
        "alibi-symmetric-learned", "alibi-fixed", "fire", "fire-fixed-threshold",
    ];

    public static PE Scheme(string name) => name switch
    {
        "none" => PE.None(),
        "sinusoidal" => PE.Sinusoidal(),
        "sinusoidal-concat-split" => PE.Sinusoidal(combine: PositionCombine.Concat, concatWidth: 6, layout: SinusoidalLayout.Split, scale: 0.5),
        "learned" => PE.Learned(maxPositions: 16),
        "scaled" => PE.ScaledRelative(),
        "scaled-per-layer-split" => PE.ScaledRelative(width: 8, layout: SinusoidalLayout.Split, perLayer: true, initStd: 0.3),
        "shaw" => PE.ShawRelative(clip: 3),
        "shaw-keys-only" => PE.ShawRelative(clip: 2, values: false),
        "t5" => PE.T5Bias(numBuckets: 8, maxDistance: 16, initStd: 0.3),
        "rope" => PE.Rotary(),
        "rope-half-fraction-linear" => PE.Rotary(pairing: RotaryPairing.RotateHalf, rotaryFraction: 0.5, scaling: RotaryScaling.Linear(2)),
        "rope-ntk" => PE.Rotary(@base: 500, scaling: RotaryScaling.NtkAware(4)),
        "xpos" => PE.XPos(scaleBase: 8),
        "xpos-half-fraction" => PE.XPos(pairing: RotaryPairing.RotateHalf, rotaryFraction: 0.5, gamma: 0.2, scaleBase: 4),
        "alibi-bidirectional-learned" => PE.ALiBi(AlibiForm.Bidirectional, learnSlopes: true),
        "alibi-symmetric-learned" => PE.ALiBi(AlibiForm.Symmetric, learnSlopes: true),
        "alibi-fixed" => PE.ALiBi(),
        // Threshold 3: some normalisers are L (it gets a gradient), some are the distance to the end, some tie.
        "fire" => PE.Fire(hidden: 8, threshold: 3),
        "fire-fixed-threshold" => PE.Fire(hidden: 8, threshold: 3, learnThreshold: false, initC: 0.5),
        _ => throw new ArgumentException($"Unknown scheme '{name}'", nameof(name)),
    };

    /// <summary>A small geometry with two layers, two heads of 8 dimensions, and room for padding.</summary>
    public static TransformerConfig SmallConfig(float dropout = 0f) => new()
    {
        Vocabulary = 24, ModelDimension = 16, Heads = 2, Layers = 2, FeedForwardDimension = 32, MaxTokens = 12, Dropout = dropout,
    };

    /// <summary>
    /// Seeded uniform noise on every weight so no gradient is trivially zero (gains around 1). FIRE's threshold keeps its
    /// value: noise would push it below 1, where it stops mattering.
    /// </summary>
    public static void Randomise(IReadOnlyList<MLComponents.Numerics.Parameter> parameters, int seed, float scale = 0.3f)
    {
        var rng = new Random(seed);
        foreach (var p in parameters)
        {
            if (p.Name == "position.fire.threshold")
            {
                continue;
            }
            bool gain = p.Name.EndsWith("norm1.weight", StringComparison.Ordinal) || p.Name.EndsWith("norm2.weight", StringComparison.Ordinal)
                || p.Name == "final_norm.weight";
            for (int i = 0; i < p.Length; i++)
            {
                p.Value[i] = (gain ? 1f : 0f) + (float)((rng.NextDouble() * 2 - 1) * scale);
            }
        }
    }

    /// <summary>max |a - b| / max |b| (b the managed reference); 0 when both are all zero, infinity when only b is.</summary>
    public static double RelativeError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < b.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs((double)b[i]));
        }
        return diff == 0 ? 0 : scale == 0 ? double.PositiveInfinity : diff / scale;
    }
}
