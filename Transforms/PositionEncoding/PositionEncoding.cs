using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

/// <summary>
/// An immutable description of a position-encoding scheme. The same object configures a featuriser step
/// (<c>ml.Transforms.PositionEncoding.*</c>) and is the <c>PositionEncoding</c> option of the Transformer
/// trainers. Create one with the factory methods (e.g. <c>PositionEncoding.Rotary()</c>).
/// </summary>
public abstract partial class PositionEncoding
{
    private protected PositionEncoding() { }

    /// <summary>Short stable name ("none", "sinusoidal", "learned", "scaled", "shaw", "t5", "rope", "xpos", "alibi", "fire").</summary>
    public abstract string Kind { get; }

    /// <summary>Builds the runtime module (with freshly initialised parameters) for a model geometry.</summary>
    public abstract PositionModule CreateModule(PositionModuleShape shape, int seed);

    /// <summary>The options as JSON (Kind included), for the model archive.</summary>
    public abstract JsonObject ToJson();
}
