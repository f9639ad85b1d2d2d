using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

/// <summary>Which dimensions of a head RoPE rotates together.</summary>
public enum RotaryPairing
{
    /// <summary>Pairs (2i, 2i+1): the original RoFormer layout, and the one the PyTorch benchmark peer uses.</summary>
    Interleaved,

    /// <summary>Pairs (i, i + r/2) over the r rotated dimensions: the GPT-NeoX / Llama layout.</summary>
    RotateHalf,
}

/// <summary>How RoPE stretches positions for inputs longer than those seen in training.</summary>
public enum RotaryScalingKind
{
    /// <summary>Positions used as they are.</summary>
    None,

    /// <summary>Position interpolation: every position is divided by the factor.</summary>
    Linear,

    /// <summary>NTK-aware: the base is multiplied by factor^(r/(r-2)), r the rotated dimensions.</summary>
    NtkAware,
}

/// <summary>An immutable RoPE scaling rule (<see cref="None"/>, <see cref="Linear"/> or <see cref="NtkAware"/>).</summary>
public sealed record RotaryScaling
{
    private RotaryScaling(RotaryScalingKind kind, double factor)
    {
        Kind = kind;
        Factor = factor;
    }

    /// <summary>The rule.</summary>
    public RotaryScalingKind Kind { get; }

    /// <summary>The factor (1 for <see cref="RotaryScalingKind.None"/>).</summary>
    public double Factor { get; }

    /// <summary>No scaling.</summary>
    public static RotaryScaling None { get; } = new(RotaryScalingKind.None, 1);

    /// <summary>Position interpolation: positions divided by <paramref name="factor"/> (&gt; 0).</summary>
    public static RotaryScaling Linear(double factor)
    {
        OptionCheck.Positive(factor, "scaling.factor");
        return new(RotaryScalingKind.Linear, factor);
    }

    /// <summary>NTK-aware scaling: base multiplied by factor^(r/(r-2)); <paramref name="factor"/> must be &gt;= 1.</summary>
    public static RotaryScaling NtkAware(double factor)
    {
        OptionCheck.AtLeast(factor, 1, "scaling.factor");
        return new(RotaryScalingKind.NtkAware, factor);
    }

    internal JsonObject ToJson() => new() { ["type"] = JsonOptions.Name(Kind), ["factor"] = Factor };

    internal static RotaryScaling FromJson(JsonObject? json)
    {
        if (json is null) return None;
        var kind = JsonOptions.Enum(json, "type", RotaryScalingKind.None);
        double factor = JsonOptions.Double(json, "factor", 1);
        return kind switch
        {
            RotaryScalingKind.Linear => Linear(factor),
            RotaryScalingKind.NtkAware => NtkAware(factor),
            _ => None,
        };
    }
}

public abstract partial class PositionEncoding
{
    /// <summary>
    /// Rotary position embedding (RoPE): each pair of query/key dimensions is rotated by position x frequency,
    /// so q_i.k_j depends on i-j only.
    /// </summary>
    /// <param name="base">Frequency base (&gt; 1); pair i turns at base^(-2i/r).</param>
    /// <param name="pairing">Which dimensions form a pair; Interleaved matches the PyTorch benchmark peer.</param>
    /// <param name="rotaryFraction">Fraction (0, 1] of each head's dimensions rotated (the first ones, rounded down to an even count).</param>
    /// <param name="scaling">Length scaling; <see cref="RotaryScaling.None"/> when null.</param>
    public static RotaryEncoding Rotary(double @base = 10000, RotaryPairing pairing = RotaryPairing.Interleaved,
        double rotaryFraction = 1.0, RotaryScaling? scaling = null) =>
        new(new RotaryOptions(@base, pairing, rotaryFraction, scaling ?? RotaryScaling.None));
}

/// <summary>The options shared by RoPE and xPos, validated once.</summary>
internal sealed record RotaryOptions
{
    public RotaryOptions(double @base, RotaryPairing pairing, double rotaryFraction, RotaryScaling scaling)
    {
        if (!(@base > 1) || double.IsInfinity(@base))
            throw new ArgumentException($"Option 'base' must be a finite number > 1, got {@base}.", nameof(@base));
        OptionCheck.Defined(pairing, nameof(pairing));
        if (!(rotaryFraction > 0 && rotaryFraction <= 1))
            throw new ArgumentException($"Option 'rotaryFraction' must be in (0, 1], got {rotaryFraction}.", nameof(rotaryFraction));
        ArgumentNullException.ThrowIfNull(scaling);
        Base = @base;
        Pairing = pairing;
        RotaryFraction = rotaryFraction;
        Scaling = scaling;
    }

    public double Base { get; }
    public RotaryPairing Pairing { get; }
    public double RotaryFraction { get; }
    public RotaryScaling Scaling { get; }

    public void WriteTo(JsonObject json)
    {
        json["base"] = Base;
        json["pairing"] = JsonOptions.Name(Pairing);
        json["rotaryFraction"] = RotaryFraction;
        json["scaling"] = Scaling.ToJson();
    }

    public static RotaryOptions Read(JsonObject json) => new(
        JsonOptions.Double(json, "base", 10000),
        JsonOptions.Enum(json, "pairing", RotaryPairing.Interleaved),
        JsonOptions.Double(json, "rotaryFraction", 1.0),
        RotaryScaling.FromJson(json["scaling"] as JsonObject));
}

/// <summary>
/// RoPE. Options: <see cref="Base"/>, <see cref="Pairing"/>, <see cref="RotaryFraction"/>, <see cref="Scaling"/>.
/// Inspection: <see cref="Angles"/> gives the rotation angle of every (position, pair).
/// </summary>
public sealed class RotaryEncoding : PositionEncoding
{
    internal const string KindName = "rope";

    internal RotaryEncoding(RotaryOptions options) => Options = options;

    internal RotaryOptions Options { get; }

    /// <summary>Frequency base.</summary>
    public double Base => Options.Base;

    /// <summary>Dimension pairing.</summary>
    public RotaryPairing Pairing => Options.Pairing;

    /// <summary>Fraction of each head's dimensions that is rotated.</summary>
    public double RotaryFraction => Options.RotaryFraction;

    /// <summary>Length scaling rule.</summary>
    public RotaryScaling Scaling => Options.Scaling;

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) =>
        new RotaryModule(new RotaryGeometry(Options, shape.HeadDimension), xPos: null, shape.MaxTokens);

    /// <summary>
    /// Rotation angles in radians, row-major [length, r/2] with r the rotated dimensions of a head of
    /// <paramref name="headDimension"/>: entry (t, i) is the angle by which pair i is turned at position t
    /// (pair i is dims (2i, 2i+1) when Interleaved, (i, i+r/2) when RotateHalf). cos/sin of it are what the module uses.
    /// </summary>
    public float[] Angles(int length, int headDimension) => new RotaryGeometry(Options, headDimension).Angles(length);

    /// <inheritdoc/>
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["kind"] = KindName };
        Options.WriteTo(json);
        return json;
    }

    internal static RotaryEncoding FromJsonOptions(JsonObject json) => new(RotaryOptions.Read(json));
}
