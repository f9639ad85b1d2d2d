using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

public abstract partial class PositionEncoding
{
    /// <summary>No position information at all: the order-blind control (a bag of tokens with attention).</summary>
    public static NoPositionEncoding None() => NoPositionEncoding.Instance;
}

/// <summary>The order-blind control scheme; its module has no hooks and no parameters.</summary>
public sealed class NoPositionEncoding : PositionEncoding
{
    internal const string KindName = "none";

    internal static readonly NoPositionEncoding Instance = new();

    private NoPositionEncoding() { }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new NoPositionModule();

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["kind"] = KindName };

    internal static NoPositionEncoding FromJsonOptions(JsonObject json) => Instance;

    private sealed class NoPositionModule : PositionModule;
}
