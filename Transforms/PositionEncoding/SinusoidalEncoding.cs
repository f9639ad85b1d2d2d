using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

/// <summary>How an absolute encoding joins the token embedding.</summary>
public enum PositionCombine
{
    /// <summary>x = token embedding + encoding (widths equal the model dimension).</summary>
    Add,

    /// <summary>x = [token embedding, encoding]: the token embedding is narrower by the encoding width.</summary>
    Concat,
}

/// <summary>Where a sinusoidal table puts its sines and cosines.</summary>
public enum SinusoidalLayout
{
    /// <summary>sin at even dims 2m, cos at odd dims 2m+1.</summary>
    Interleaved,

    /// <summary>sin in the first half, cos in the second half.</summary>
    Split,
}

public abstract partial class PositionEncoding
{
    /// <summary>
    /// Fixed sinusoidal absolute encoding (Vaswani et al.): dims of frequency base^(-2m/w), added to or concatenated
    /// with the token embedding.
    /// </summary>
    /// <param name="base">Frequency base (&gt; 1).</param>
    /// <param name="combine">Add (width = model dimension) or Concat (width = <paramref name="concatWidth"/>).</param>
    /// <param name="concatWidth">Encoding width when concatenating (even, &gt; 0, less than the model dimension); 0 means half the model dimension rounded to even.</param>
    /// <param name="layout">Interleaved (sin even / cos odd) or Split (sin first half / cos second half).</param>
    /// <param name="scale">Multiplier on the encoding (&gt; 0).</param>
    public static SinusoidalEncoding Sinusoidal(double @base = 10000, PositionCombine combine = PositionCombine.Add,
        int concatWidth = 0, SinusoidalLayout layout = SinusoidalLayout.Interleaved, double scale = 1.0)
    {
        if (!(@base > 1) || double.IsInfinity(@base)) throw new ArgumentException($"Option 'base' must be a finite number > 1, got {@base}.", nameof(@base));
        OptionCheck.Defined(combine, nameof(combine));
        OptionCheck.Defined(layout, nameof(layout));
        OptionCheck.Positive(scale, nameof(scale));
        if (concatWidth < 0 || concatWidth % 2 != 0)
            throw new ArgumentException($"Option 'concatWidth' must be an even number >= 0, got {concatWidth}.", nameof(concatWidth));
        if (concatWidth != 0 && combine != PositionCombine.Concat)
            throw new ArgumentException("Option 'concatWidth' only applies when combine is Concat.", nameof(concatWidth));
        return new SinusoidalEncoding(@base, combine, concatWidth, layout, scale);
    }
}

/// <summary>
/// Fixed sinusoidal absolute encoding. Inspection: <see cref="Encodings"/> gives the [T, w] table (scale included).
/// </summary>
public sealed class SinusoidalEncoding : PositionEncoding
{
    internal const string KindName = "sinusoidal";

    internal SinusoidalEncoding(double @base, PositionCombine combine, int concatWidth, SinusoidalLayout layout, double scale)
    {
        Base = @base;
        Combine = combine;
        ConcatWidth = concatWidth;
        Layout = layout;
        Scale = scale;
    }

    /// <summary>Frequency base.</summary>
    public double Base { get; }

    /// <summary>Add or Concat.</summary>
    public PositionCombine Combine { get; }

    /// <summary>Requested concat width (0: half the model dimension).</summary>
    public int ConcatWidth { get; }

    /// <summary>Interleaved or Split.</summary>
    public SinusoidalLayout Layout { get; }

    /// <summary>Multiplier on the encoding.</summary>
    public double Scale { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>The encoding width used for a model of dimension <paramref name="modelDimension"/>.</summary>
    public int EncodingWidth(int modelDimension)
    {
        if (Combine == PositionCombine.Add)
        {
            if (modelDimension < 2 || modelDimension % 2 != 0)
                throw new ArgumentException($"Sinusoidal Add needs an even model dimension, got {modelDimension}.", nameof(modelDimension));
            return modelDimension;
        }
        int width = ConcatWidth != 0 ? ConcatWidth : Math.Max(2, modelDimension / 2 / 2 * 2);
        if (width >= modelDimension)
            throw new ArgumentException($"Option 'concatWidth' = {width} leaves no room for the token embedding in model dimension {modelDimension}.", "concatWidth");
        return width;
    }

    /// <summary>The encodings [length, w] (w = <see cref="EncodingWidth"/>), scale included: what the module adds or appends.</summary>
    public float[] Encodings(int length, int modelDimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int w = EncodingWidth(modelDimension);
        var omega = SinusoidalMath.Frequencies(w, Base);
        var table = new float[length * w];
        for (int t = 0; t < length; t++)
            SinusoidalMath.Write(t, omega, Layout == SinusoidalLayout.Interleaved, (float)Scale, table.AsSpan(t * w, w));
        return table;
    }

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new SinusoidalModule(this, shape);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["kind"] = KindName,
        ["base"] = Base,
        ["combine"] = JsonOptions.Name(Combine),
        ["concatWidth"] = ConcatWidth,
        ["layout"] = JsonOptions.Name(Layout),
        ["scale"] = Scale,
    };

    internal static SinusoidalEncoding FromJsonOptions(JsonObject json) => Sinusoidal(
        JsonOptions.Double(json, "base", 10000),
        JsonOptions.Enum(json, "combine", PositionCombine.Add),
        JsonOptions.Int(json, "concatWidth", 0),
        JsonOptions.Enum(json, "layout", SinusoidalLayout.Interleaved),
        JsonOptions.Double(json, "scale", 1.0));
}
