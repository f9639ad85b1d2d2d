using MLComponents.Engine;
using MLComponents.Numerics;

namespace MLComponents.Samples.SchemeReport;

/// <summary>
/// What a trained scheme learned, as matrices: the position-to-position cosine similarity of the absolute encodings (sinusoidal,
/// learned: the module's <see cref="IAbsolutePositionSource"/>), the logit bias per head (ALiBi, T5, FIRE, scaled: its
/// <see cref="IRelativeBiasSource"/>), the similarity of Shaw's learned relative key embeddings, and for RoPE/xPos the mean cosine of
/// the rotation-angle difference (fixed by the scheme, the same for every model).
/// </summary>
public static class SchemeInspection
{
    /// <summary>Heatmaps of the trained encoder's scheme over the first <paramref name="positions"/> positions, and a note.</summary>
    public static (IReadOnlyList<HeatmapData> Heatmaps, string Note) Inspect(TransformerEncoder encoder, int positions)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        int t = Math.Min(positions, encoder.Config.MaxTokens);
        var module = encoder.Position;
        var scheme = encoder.PositionEncoding;
        if (module is IAbsolutePositionSource absolute)
        {
            var cos = CosineMatrix(absolute.Encodings(t), t, absolute.EncodingWidth);
            return ([new HeatmapData($"{scheme.Kind}: cosine similarity of position encodings", cos, "position i", "position j")],
                scheme is LearnedAbsoluteEncoding
                    ? "Learned table rows after training: a band along the diagonal means neighbouring positions were learned alike."
                    : "Fixed sinusoids: similarity depends on the distance |i - j| only.");
        }
        if (module is IRelativeBiasSource relative)
        {
            var bias = relative.Bias(t, t);
            var maps = new List<HeatmapData>();
            for (int h = 0; h < relative.Heads; h++)
            {
                var m = new double[t, t];
                for (int i = 0; i < t; i++)
                    for (int j = 0; j < t; j++)
                        m[i, j] = bias[(h * t + i) * t + j];
                maps.Add(new HeatmapData($"{scheme.Kind}: logit bias of head {h + 1} (sequence of {t} tokens)", m, "query i", "key j"));
            }
            return (maps, "The bias added to attention logits (query row, key column): what each head prefers to attend to by position.");
        }
        int dh = encoder.Config.ModelDimension / encoder.Config.Heads;
        float[]? angles = scheme switch
        {
            RotaryEncoding rope => rope.Angles(t, dh),
            XPosEncoding xpos => xpos.Angles(t, dh),
            _ => null,
        };
        if (angles is not null)
        {
            int pairs = angles.Length / t;
            var m = new double[t, t];
            for (int i = 0; i < t; i++)
            {
                for (int j = 0; j < t; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < pairs; k++) sum += Math.Cos(angles[i * pairs + k] - angles[j * pairs + k]);
                    m[i, j] = sum / pairs;
                }
            }
            return ([new HeatmapData($"{scheme.Kind}: mean cos of rotation-angle difference", m, "position i", "position j")],
                "Fixed rotations (nothing is learned): a query and a key are rotated by angles whose difference depends on i - j only.");
        }
        if (scheme is ShawRelativeEncoding && module.Parameters.FirstOrDefault(p => p.Name.StartsWith("position.shaw.key.", StringComparison.Ordinal)) is Parameter keys)
        {
            int rows = keys.Shape[0], width = keys.Shape[1];
            int clip = (rows - 1) / 2;
            return ([new HeatmapData($"shaw: cosine similarity of learned relative key embeddings, layer 1 (distance -{clip}..{clip})",
                    CosineMatrix(keys.Value, rows, width), "distance", "distance")],
                "Learned embeddings of clipped relative distances; the matrix compares the distances' embeddings.");
        }
        return ([], scheme is NoPositionEncoding ? "No position information: the model sees a bag of tokens." : "Nothing to draw for this scheme.");
    }

    private static double[,] CosineMatrix(float[] rows, int count, int width)
    {
        var norms = new double[count];
        for (int i = 0; i < count; i++)
        {
            double s = 0;
            for (int k = 0; k < width; k++) s += (double)rows[i * width + k] * rows[i * width + k];
            norms[i] = Math.Sqrt(s) + 1e-12;
        }
        var m = new double[count, count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < count; j++)
            {
                double s = 0;
                for (int k = 0; k < width; k++) s += (double)rows[i * width + k] * rows[j * width + k];
                m[i, j] = s / (norms[i] * norms[j]);
            }
        }
        return m;
    }
}
