using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// The "none" scheme as a module: the base <see cref="PositionModule"/> with no hooks, so the model sees a bag of
/// tokens plus whatever order the attention cannot recover. Used when no <see cref="PositionEncoding"/> is given.
/// </summary>
public sealed class NoPositionModule : PositionModule
{
}
