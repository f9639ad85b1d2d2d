using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

public abstract partial class PositionEncoding
{
    /// <summary>
    /// xPos: RoPE plus a length-stable exponential scale. Pair i has zeta_i = (2i/r + gamma)/(1 + gamma); the query at
    /// centred position n is scaled by zeta_i^(n/scaleBase) and the key by zeta_i^(-n/scaleBase), so q_i.k_j carries
    /// zeta^((i-j)/scaleBase). Positions are centred per sequence (n = t - floor(N/2), N its real length) so the
    /// scales stay near 1 on both sides; the product, hence every logit, is unchanged by centring.
    /// </summary>
    /// <param name="base">Frequency base, as for <see cref="Rotary"/>.</param>
    /// <param name="pairing">Dimension pairing, as for <see cref="Rotary"/>.</param>
    /// <param name="rotaryFraction">Fraction of dimensions rotated (and scaled), as for <see cref="Rotary"/>.</param>
    /// <param name="scaling">Length scaling of the rotation, as for <see cref="Rotary"/>.</param>
    /// <param name="gamma">Scale offset gamma (&gt;= 0).</param>
    /// <param name="scaleBase">Scale base (&gt; 0): the distance over which zeta applies once.</param>
    public static XPosEncoding XPos(double @base = 10000, RotaryPairing pairing = RotaryPairing.Interleaved,
        double rotaryFraction = 1.0, RotaryScaling? scaling = null, double gamma = 0.4, double scaleBase = 512)
    {
        var rotary = new RotaryOptions(@base, pairing, rotaryFraction, scaling ?? RotaryScaling.None);
        OptionCheck.AtLeast(gamma, 0, nameof(gamma));
        OptionCheck.Positive(scaleBase, nameof(scaleBase));
        return new XPosEncoding(rotary, gamma, scaleBase);
    }
}

/// <summary>
/// xPos (RoPE with exponential decay). Inspection: <see cref="Angles"/> and <see cref="QueryScales"/>.
/// </summary>
public sealed class XPosEncoding : PositionEncoding
{
    internal const string KindName = "xpos";

    internal XPosEncoding(RotaryOptions rotary, double gamma, double scaleBase)
    {
        RotaryPart = rotary;
        Gamma = gamma;
        ScaleBase = scaleBase;
    }

    internal RotaryOptions RotaryPart { get; }

    /// <summary>Frequency base.</summary>
    public double Base => RotaryPart.Base;

    /// <summary>Dimension pairing.</summary>
    public RotaryPairing Pairing => RotaryPart.Pairing;

    /// <summary>Fraction of each head's dimensions rotated and scaled.</summary>
    public double RotaryFraction => RotaryPart.RotaryFraction;

    /// <summary>Length scaling of the rotation.</summary>
    public RotaryScaling Scaling => RotaryPart.Scaling;

    /// <summary>Scale offset gamma.</summary>
    public double Gamma { get; }

    /// <summary>Scale base.</summary>
    public double ScaleBase { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) =>
        new RotaryModule(new RotaryGeometry(RotaryPart, shape.HeadDimension), new XPosScale(Gamma, ScaleBase), shape.MaxTokens);

    /// <summary>Rotation angles [length, r/2] (of a sequence of <paramref name="length"/> real tokens), as <see cref="RotaryEncoding.Angles"/>.</summary>
    public float[] Angles(int length, int headDimension) => new RotaryGeometry(RotaryPart, headDimension).ForLength(length).Angles(length);

    /// <summary>
    /// Query scales [length, r/2] for a sequence of real length <paramref name="sequenceLength"/>: entry (t, i) is
    /// zeta_i^((t - floor(N/2))/scaleBase). Key scales are the reciprocals.
    /// </summary>
    public float[] QueryScales(int length, int headDimension, int sequenceLength)
    {
        var geometry = new RotaryGeometry(RotaryPart, headDimension);
        var scale = new XPosScale(Gamma, ScaleBase);
        var result = new float[length * geometry.Pairs];
        for (int t = 0; t < length; t++)
            for (int i = 0; i < geometry.Pairs; i++)
                result[(t * geometry.Pairs) + i] = (float)scale.Scale(i, geometry.Pairs, t - (sequenceLength / 2));
        return result;
    }

    /// <inheritdoc/>
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["kind"] = KindName };
        RotaryPart.WriteTo(json);
        json["gamma"] = Gamma;
        json["scaleBase"] = ScaleBase;
        return json;
    }

    internal static XPosEncoding FromJsonOptions(JsonObject json)
    {
        var r = RotaryOptions.Read(json);
        return XPos(r.Base, r.Pairing, r.RotaryFraction, r.Scaling,
            JsonOptions.Double(json, "gamma", 0.4), JsonOptions.Double(json, "scaleBase", 512));
    }
}
