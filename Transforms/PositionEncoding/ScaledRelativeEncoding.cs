using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

public abstract partial class PositionEncoding
{
    /// <summary>
    /// The scaled relative scheme (the seed formula): d(i,j) = |i-j| + (i+j)/N with N the sequence's real length,
    /// encoded sinusoidally with <paramref name="width"/> dims. As a featuriser it yields the [T, T, width]
    /// encodings (or the [T, T] distances); in a Transformer it is a logit hook, a learned per-head bias
    /// bias_h(i,j) = w_h . enc(d(i,j)). (DESIGN's table lists it under embeddings; it acts on the logits.)
    /// </summary>
    /// <param name="width">Encoding width d' (even, &gt;= 2).</param>
    /// <param name="base">Frequency base of the encoding (&gt; 1).</param>
    /// <param name="layout">Where sines and cosines go, as for <see cref="Sinusoidal"/>.</param>
    /// <param name="perLayer">Learn w [H, d'] per layer (true) or one w shared by all layers (false, the default: the
    /// distances are the same in every layer and sharing keeps the parameter count tiny, as T5 does).</param>
    /// <param name="initStd">Standard deviation of w's Normal initialisation (&gt; 0).</param>
    public static ScaledRelativeEncoding ScaledRelative(int width = 16, double @base = 10000, SinusoidalLayout layout = SinusoidalLayout.Interleaved,
        bool perLayer = false, double initStd = 0.02)
    {
        if (width < 2 || width % 2 != 0) throw new ArgumentException($"Option 'width' must be an even number >= 2, got {width}.", nameof(width));
        if (!(@base > 1) || double.IsInfinity(@base)) throw new ArgumentException($"Option 'base' must be a finite number > 1, got {@base}.", nameof(@base));
        OptionCheck.Defined(layout, nameof(layout));
        OptionCheck.Positive(initStd, nameof(initStd));
        return new ScaledRelativeEncoding(width, @base, layout, perLayer, initStd);
    }
}

/// <summary>
/// The scaled relative scheme; parameter "position.scaled.weight" [L or 1, H, d']. Inspection:
/// <see cref="Distances"/>, <see cref="Encodings"/>; the module (an <see cref="IRelativeBiasSource"/>) gives the
/// [H, T, T] bias (of layer 0 when per layer).
/// </summary>
public sealed class ScaledRelativeEncoding : PositionEncoding
{
    internal const string KindName = "scaled";

    internal ScaledRelativeEncoding(int width, double @base, SinusoidalLayout layout, bool perLayer, double initStd)
    {
        Width = width;
        Base = @base;
        Layout = layout;
        PerLayer = perLayer;
        InitStd = initStd;
    }

    /// <summary>Encoding width d'.</summary>
    public int Width { get; }

    /// <summary>Frequency base.</summary>
    public double Base { get; }

    /// <summary>Sine/cosine layout.</summary>
    public SinusoidalLayout Layout { get; }

    /// <summary>Whether each layer learns its own w.</summary>
    public bool PerLayer { get; }

    /// <summary>Initial standard deviation of w.</summary>
    public double InitStd { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>d(i, j) = |i - j| + (i + j)/N; N below 1 counts as 1.</summary>
    public static double Distance(int i, int j, int sequenceLength) => Math.Abs(i - j) + ((i + j) / (double)Math.Max(1, sequenceLength));

    /// <summary>Distances [length, length] for a sequence of real length <paramref name="sequenceLength"/>.</summary>
    public static float[] Distances(int length, int sequenceLength)
    {
        var d = new float[length * length];
        for (int i = 0; i < length; i++)
            for (int j = 0; j < length; j++)
                d[(i * length) + j] = (float)Distance(i, j, sequenceLength);
        return d;
    }

    /// <summary>Encodings enc(d(i,j)) [length, length, <see cref="Width"/>], exactly as the module's bias uses them.</summary>
    public float[] Encodings(int length, int sequenceLength)
    {
        var tables = new ScaledRelativeTables(Width, Base, Layout);
        tables.Prepare(length, sequenceLength);
        var result = new float[length * length * Width];
        var et = new float[Width * length];
        for (int i = 0; i < length; i++)
        {
            tables.WriteRow(i, length, et);
            for (int j = 0; j < length; j++)
                for (int c = 0; c < Width; c++)
                    result[(((i * length) + j) * Width) + c] = et[(c * length) + j];
        }
        return result;
    }

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new ScaledRelativeModule(this, shape, seed);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["kind"] = KindName,
        ["width"] = Width,
        ["base"] = Base,
        ["layout"] = JsonOptions.Name(Layout),
        ["perLayer"] = PerLayer,
        ["initStd"] = InitStd,
    };

    internal static ScaledRelativeEncoding FromJsonOptions(JsonObject json) => ScaledRelative(
        JsonOptions.Int(json, "width", 16),
        JsonOptions.Double(json, "base", 10000),
        JsonOptions.Enum(json, "layout", SinusoidalLayout.Interleaved),
        JsonOptions.Bool(json, "perLayer", false),
        JsonOptions.Double(json, "initStd", 0.02));
}
