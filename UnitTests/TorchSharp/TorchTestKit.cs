using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using ManagedParameter = MLComponents.Numerics.Parameter;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>Scheme variants the cross-backend tests run over (every scheme and its options that change the maths), and comparisons.</summary>
internal static class TorchTestKit
{
    public static readonly string[] Schemes =
    [
        "none", "sinusoidal", "sinusoidal-concat-split", "learned", "scaled", "scaled-per-layer-split", "scaled-embedding",
        "scaled-embedding-split-base100", "shaw", "shaw-keys-only", "t5",
        "rope", "rope-half-fraction-linear", "rope-ntk", "rope-yarn", "rope-dynamic-yarn", "rope-half-dynamic-ntk", "xpos", "xpos-half-fraction", "alibi-bidirectional-learned",
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
        "scaled-embedding" => PE.ScaledRelative(form: ScaledForm.Embedding),
        "scaled-embedding-split-base100" => PE.ScaledRelative(@base: 100, layout: SinusoidalLayout.Split, form: ScaledForm.Embedding),
        "shaw" => PE.ShawRelative(clip: 3),
        "shaw-keys-only" => PE.ShawRelative(clip: 2, values: false),
        "t5" => PE.T5Bias(numBuckets: 8, maxDistance: 16, initStd: 0.3),
        "rope" => PE.Rotary(),
        "rope-half-fraction-linear" => PE.Rotary(pairing: RotaryPairing.RotateHalf, rotaryFraction: 0.5, scaling: RotaryScaling.Linear(2)),
        "rope-ntk" => PE.Rotary(@base: 500, scaling: RotaryScaling.NtkAware(4)),
        // Base 100 over dh 8 with original length 16: pair 0 kept, pair 1 blended, pairs 2-3 interpolated.
        "rope-yarn" => PE.Rotary(@base: 100, scaling: RotaryScaling.Yarn(3, 16, alpha: 1, beta: 2)),
        // The batch's lengths 12, 7, 3, 10 over original length 6: factors 2, 1.17, 1, 1.67 (one sequence unscaled).
        "rope-dynamic-yarn" => PE.Rotary(@base: 100, scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 6, alpha: 0.5, beta: 2)),
        "rope-half-dynamic-ntk" => PE.Rotary(pairing: RotaryPairing.RotateHalf, scaling: RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, 8)),
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

    /// <summary>
    /// Per tensor: relative error within 1e-4, or, for a tensor whose whole managed gradient is rounding noise (below 1e-7
    /// of the model's largest: zero by symmetry), torch's must be noise too. Returns the worst tensor and the silent ones.
    /// </summary>
    public static (string Name, double Error, List<string> Silent) CompareGradients(IReadOnlyList<ManagedParameter> reference, IReadOnlyList<ManagedParameter> torch, string what)
    {
        string worstName = "";
        double worst = 0;
        var silent = new List<string>();
        double noise = 1e-7 * reference.Max(p => p.Grad.Max(v => Math.Abs((double)v)));
        for (int i = 0; i < reference.Count; i++)
        {
            Assert.AreEqual(reference[i].Name, torch[i].Name);
            var m = reference[i].Grad;
            var t = torch[i].Grad;
            if (m.Max(v => Math.Abs((double)v)) < noise)
            {
                Assert.IsLessThan(noise, t.Max(v => Math.Abs((double)v)), $"{what}: torch gradient of {reference[i].Name} should be rounding noise like the managed one");
                silent.Add(reference[i].Name);
                continue;
            }
            double e = RelativeError(t, m);
            if (e > worst || worstName.Length == 0)
            {
                worst = e;
                worstName = reference[i].Name;
            }
            Assert.IsLessThan(1e-4, e, $"{what}: gradient of {reference[i].Name}");
        }
        return (worstName, worst, silent);
    }
}
