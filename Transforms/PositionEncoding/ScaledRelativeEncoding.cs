using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

/// <summary>Which of the seed's two forms of the scaled scheme a <see cref="ScaledRelativeEncoding"/> takes.</summary>
public enum ScaledForm
{
    /// <summary>
    /// The pairwise form (the default, and what every model saved before the option existed uses): a learned per-head
    /// logit bias w_h . enc(d(i,j)), d(i,j) = |i-j| + (i+j)/N with 0-based i, j. Symmetric in i and j.
    /// </summary>
    Bias,

    /// <summary>
    /// The seed's embedding form: P_i = p_i + PE(d_ii) added to the token embedding, with d_ii = 2i/N (1-based i, so
    /// the real tokens sit at 2/N .. 2), p_i the sinusoidal absolute encoding and
    /// PE(x)_k = sin(x / base^(k/D)) + cos(x / base^((k-1)/D)) for k = 0..D-1 (D the model dimension). No parameters.
    /// </summary>
    Embedding,
}

public abstract partial class PositionEncoding
{
    /// <summary>
    /// The scaled scheme of the seed, in either of its forms (<paramref name="form"/>).
    /// <para><see cref="ScaledForm.Bias"/> (default): d(i,j) = |i-j| + (i+j)/N with N the sequence's real length,
    /// encoded sinusoidally with <paramref name="width"/> dims. As a featuriser it yields the [T, T, width]
    /// encodings (or the [T, T] distances); in a Transformer it is a logit hook, a learned per-head bias
    /// bias_h(i,j) = w_h . enc(d(i,j)). (DESIGN's table lists it under embeddings; it acts on the logits.)</para>
    /// <para><see cref="ScaledForm.Embedding"/>: an embeddings hook adding P_i = p_i + PE(2i/N) (1-based i, N the real
    /// length) to token i's embedding; p_i is the <see cref="Sinusoidal"/> table's row for the token (its 0-based index
    /// i-1, with this <paramref name="base"/> and <paramref name="layout"/>) and PE(x)_k = sin(x base^(-k/D)) +
    /// cos(x base^(-(k-1)/D)), k = 0..D-1 over the model dimension D (so at k = 0 the cosine runs at base^(1/D), just
    /// above 1). Padded positions (i &gt; N) get p_i alone. <paramref name="width"/> and <paramref name="initStd"/>
    /// are the bias form's and are not used; <paramref name="perLayer"/> must stay false.</para>
    /// </summary>
    /// <param name="width">Encoding width d' (even, &gt;= 2).</param>
    /// <param name="base">Frequency base of the encoding (&gt; 1).</param>
    /// <param name="layout">Where sines and cosines go, as for <see cref="Sinusoidal"/>.</param>
    /// <param name="perLayer">Learn w [H, d'] per layer (true) or one w shared by all layers (false, the default: the
    /// distances are the same in every layer and sharing keeps the parameter count tiny, as T5 does).</param>
    /// <param name="initStd">Standard deviation of w's Normal initialisation (&gt; 0).</param>
    /// <param name="form">Pairwise logit bias (default) or the embedding form P_i = p_i + PE(2i/N).</param>
    public static ScaledRelativeEncoding ScaledRelative(int width = 16, double @base = 10000, SinusoidalLayout layout = SinusoidalLayout.Interleaved,
        bool perLayer = false, double initStd = 0.02, ScaledForm form = ScaledForm.Bias)
    {
        if (width < 2 || width % 2 != 0) throw new ArgumentException($"Option 'width' must be an even number >= 2, got {width}.", nameof(width));
        if (!(@base > 1) || double.IsInfinity(@base)) throw new ArgumentException($"Option 'base' must be a finite number > 1, got {@base}.", nameof(@base));
        OptionCheck.Defined(layout, nameof(layout));
        OptionCheck.Positive(initStd, nameof(initStd));
        OptionCheck.Defined(form, nameof(form));
        if (perLayer && form == ScaledForm.Embedding)
            throw new ArgumentException("Option 'perLayer' only applies to the bias form: the embedding form acts once, before the first layer.", nameof(perLayer));
        return new ScaledRelativeEncoding(width, @base, layout, perLayer, initStd, form);
    }
}

/// <summary>
/// The scaled scheme. Bias form: parameter "position.scaled.weight" [L or 1, H, d']; inspection
/// <see cref="Distances"/>, <see cref="Encodings"/>; the module (an <see cref="IRelativeBiasSource"/>) gives the
/// [H, T, T] bias (of layer 0 when per layer). Embedding form: no parameters; inspection <see cref="DiagonalPosition"/>,
/// <see cref="Embeddings"/>; the module is an <see cref="IAbsolutePositionSource"/> (a sequence's own length as N).
/// </summary>
public sealed class ScaledRelativeEncoding : PositionEncoding
{
    internal const string KindName = "scaled";

    internal ScaledRelativeEncoding(int width, double @base, SinusoidalLayout layout, bool perLayer, double initStd, ScaledForm form)
    {
        Form = form;
        Width = width;
        Base = @base;
        Layout = layout;
        PerLayer = perLayer;
        InitStd = initStd;
    }

    /// <summary>Bias (pairwise logit bias) or Embedding (P_i = p_i + PE(2i/N) at the embeddings hook).</summary>
    public ScaledForm Form { get; }

    /// <summary>Encoding width d' of the bias form (the embedding form's width is the model dimension).</summary>
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

    /// <summary>
    /// The embedding form's position of token <paramref name="index"/> (0-based): d_ii = 2i/N with the 1-based i = index + 1,
    /// N the real length floored at 1. The first real token sits at 2/N, the last at 2, whatever N.
    /// </summary>
    public static double DiagonalPosition(int index, int sequenceLength) => 2.0 * (index + 1) / Math.Max(1, sequenceLength);

    /// <summary>
    /// The embedding form's vectors [length, D] for a sequence padded to <paramref name="length"/> whose real length is
    /// <paramref name="sequenceLength"/>: rows below N hold p_i + PE(d_ii), padded rows p_i alone; exactly what the
    /// embeddings hook adds (either form of the scheme may be asked; the bias form does not use them).
    /// </summary>
    public float[] Embeddings(int length, int sequenceLength, int modelDimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var tables = new ScaledEmbeddingTables(modelDimension, Base, Layout);
        var result = new float[length * modelDimension];
        for (int t = 0; t < length; t++) tables.WriteRow(t, sequenceLength, result.AsSpan(t * modelDimension, modelDimension));
        return result;
    }

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => Form == ScaledForm.Embedding
        ? new ScaledEmbeddingModule(this, shape)
        : new ScaledRelativeModule(this, shape, seed);

    /// <inheritdoc/>
    /// <remarks>"form" is written only for the embedding form, so a bias-form model saves exactly the options it saved
    /// before the option existed (and older readers still load it); absent, it reads back as the bias form.</remarks>
    public override JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["kind"] = KindName,
            ["width"] = Width,
            ["base"] = Base,
            ["layout"] = JsonOptions.Name(Layout),
            ["perLayer"] = PerLayer,
            ["initStd"] = InitStd,
        };
        if (Form != ScaledForm.Bias) json["form"] = JsonOptions.Name(Form);
        return json;
    }

    internal static ScaledRelativeEncoding FromJsonOptions(JsonObject json) => ScaledRelative(
        JsonOptions.Int(json, "width", 16),
        JsonOptions.Double(json, "base", 10000),
        JsonOptions.Enum(json, "layout", SinusoidalLayout.Interleaved),
        JsonOptions.Bool(json, "perLayer", false),
        JsonOptions.Double(json, "initStd", 0.02),
        JsonOptions.Enum(json, "form", ScaledForm.Bias)); // absent in files saved before the option: the bias form
}
