using MLComponents.Engine;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.Engine;

/// <summary>Schemes by name (the engine tests run over all of them) and small model builders.</summary>
internal static class EngineTestKit
{
    public static PE Scheme(string name) => name switch
    {
        "none" => PE.None(),
        "sinusoidal" => PE.Sinusoidal(),
        "sinusoidal-concat" => PE.Sinusoidal(combine: PositionCombine.Concat, concatWidth: 4),
        // Initialised on the token embeddings' scale (std 1, torch's default); at 0.02 the table starts drowned out.
        "learned" => PE.Learned(maxPositions: 64, initStd: 1.0),
        "scaled" => PE.ScaledRelative(),
        "scaled-embedding" => PE.ScaledRelative(form: ScaledForm.Embedding),
        "shaw" => PE.ShawRelative(clip: 4),
        "t5" => PE.T5Bias(numBuckets: 8, maxDistance: 16),
        "rope" => PE.Rotary(),
        // Original length 4: nearly every test sequence is longer and gets its own factor (and YaRN's q/k scale).
        "rope-dynamic-yarn" => PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 4, alpha: 0.5, beta: 4)),
        // Original length 32: the tests' sequences all keep factor 1, the unscaled tables.
        "rope-dynamic-ntk" => PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, 32)),
        "xpos" => PE.XPos(),
        "alibi" => PE.ALiBi(learnSlopes: true),
        "fire" => PE.Fire(hidden: 8),
        _ => throw new ArgumentException($"Unknown scheme '{name}'", nameof(name)),
    };

    /// <summary>Sets every weight to seeded uniform noise so no gradient is trivially zero (gains around 1).</summary>
    public static void Randomise(SequenceClassifier model, int seed, float scale = 0.3f)
    {
        var rng = new Random(seed);
        foreach (var p in model.Parameters)
        {
            bool gain = p.Name.EndsWith("norm1.weight", StringComparison.Ordinal) || p.Name.EndsWith("norm2.weight", StringComparison.Ordinal)
                || p.Name == "final_norm.weight";
            for (int i = 0; i < p.Length; i++)
            {
                p.Value[i] = (gain ? 1f : 0f) + (float)((rng.NextDouble() * 2 - 1) * scale);
            }
        }
    }
}
