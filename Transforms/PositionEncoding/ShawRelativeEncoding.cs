using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

public abstract partial class PositionEncoding
{
    /// <summary>
    /// Shaw et al. relative position representations: distances j - i clipped to [-clip, clip] index learned key and
    /// value embeddings aK, aV [2 clip + 1, dh] per layer, shared across heads as in the paper:
    /// logits[i,j] += scale * q_i . aK[clip(j-i)] and o_i += sum_j p_ij aV[clip(j-i)].
    /// </summary>
    /// <param name="clip">Maximum relative distance k (1..1024).</param>
    /// <param name="values">Also add the value-side term (false: keys only).</param>
    /// <param name="initStd">Standard deviation of the embeddings' Normal initialisation (&gt; 0).</param>
    public static ShawRelativeEncoding ShawRelative(int clip = 16, bool values = true, double initStd = 0.5)
    {
        if (clip is < 1 or > 1024) throw new ArgumentException($"Option 'clip' must be in 1..1024, got {clip}.", nameof(clip));
        OptionCheck.Positive(initStd, nameof(initStd));
        return new ShawRelativeEncoding(clip, values, initStd);
    }
}

/// <summary>
/// Shaw relative keys/values; parameters "position.shaw.key.{layer}" and "position.shaw.value.{layer}" [2k+1, dh].
/// Inspection: <see cref="DistanceIndices"/> (the clipped distance index of every query/key pair).
/// </summary>
public sealed class ShawRelativeEncoding : PositionEncoding
{
    internal const string KindName = "shaw";

    internal ShawRelativeEncoding(int clip, bool values, double initStd)
    {
        Clip = clip;
        Values = values;
        InitStd = initStd;
    }

    /// <summary>Maximum relative distance k.</summary>
    public int Clip { get; }

    /// <summary>Whether the value-side term is used.</summary>
    public bool Values { get; }

    /// <summary>Initial standard deviation of the embeddings.</summary>
    public double InitStd { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>Embedding row for the pair (query i, key j): clip(j - i, -k, k) + k, in 0..2k.</summary>
    public int Index(int query, int key) => Math.Clamp(key - query, -Clip, Clip) + Clip;

    /// <summary>Clipped distance indices [length, length] (query i, key j), each in 0..2k.</summary>
    public int[] DistanceIndices(int length)
    {
        var m = new int[length * length];
        for (int i = 0; i < length; i++)
            for (int j = 0; j < length; j++)
                m[(i * length) + j] = Index(i, j);
        return m;
    }

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new ShawRelativeModule(this, shape, seed);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["kind"] = KindName,
        ["clip"] = Clip,
        ["values"] = Values,
        ["initStd"] = InitStd,
    };

    internal static ShawRelativeEncoding FromJsonOptions(JsonObject json) => ShawRelative(
        JsonOptions.Int(json, "clip", 16),
        JsonOptions.Bool(json, "values", true),
        JsonOptions.Double(json, "initStd", 0.5));
}
