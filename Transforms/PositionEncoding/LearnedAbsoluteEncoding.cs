using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

/// <summary>How a learned absolute table starts.</summary>
public enum LearnedInit
{
    /// <summary>Normal(0, initStd) values.</summary>
    RandomNormal,

    /// <summary>The sinusoidal table (base 10000, interleaved), then learned.</summary>
    Sinusoidal,
}

public abstract partial class PositionEncoding
{
    /// <summary>
    /// Learned absolute position embeddings (BERT/GPT-2 style): a [maxPositions, D] table added to the token embedding.
    /// Inputs longer than <paramref name="maxPositions"/> are rejected with an error naming the position and the limit.
    /// </summary>
    /// <param name="maxPositions">Table rows: the longest sequence the model accepts.</param>
    /// <param name="init">RandomNormal (std <paramref name="initStd"/>) or Sinusoidal.</param>
    /// <param name="initStd">Standard deviation for RandomNormal (&gt; 0).</param>
    public static LearnedAbsoluteEncoding Learned(int maxPositions = 512, LearnedInit init = LearnedInit.RandomNormal, double initStd = 1.0)
    {
        OptionCheck.Positive(maxPositions, nameof(maxPositions));
        OptionCheck.Defined(init, nameof(init));
        OptionCheck.Positive(initStd, nameof(initStd));
        return new LearnedAbsoluteEncoding(maxPositions, init, initStd);
    }
}

/// <summary>
/// Learned absolute position embeddings; parameter "position.learned.table" [maxPositions, D] (not weight-decayed).
/// Inspection: the module implements <see cref="IAbsolutePositionSource"/> (rows of the table).
/// </summary>
public sealed class LearnedAbsoluteEncoding : PositionEncoding
{
    internal const string KindName = "learned";

    internal LearnedAbsoluteEncoding(int maxPositions, LearnedInit init, double initStd)
    {
        MaxPositions = maxPositions;
        Init = init;
        InitStd = initStd;
    }

    /// <summary>Table rows.</summary>
    public int MaxPositions { get; }

    /// <summary>Initialisation.</summary>
    public LearnedInit Init { get; }

    /// <summary>Standard deviation of the RandomNormal initialisation.</summary>
    public double InitStd { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new LearnedAbsoluteModule(this, shape.ModelDimension, seed);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["kind"] = KindName,
        ["maxPositions"] = MaxPositions,
        ["init"] = JsonOptions.Name(Init),
        ["initStd"] = InitStd,
    };

    internal static LearnedAbsoluteEncoding FromJsonOptions(JsonObject json) => Learned(
        JsonOptions.Int(json, "maxPositions", 512),
        JsonOptions.Enum(json, "init", LearnedInit.RandomNormal),
        JsonOptions.Double(json, "initStd", 1.0));
}
