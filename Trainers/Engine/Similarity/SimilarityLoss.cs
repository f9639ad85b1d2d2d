namespace MLComponents.Engine;

/// <summary>The training objective of a sentence-similarity model.</summary>
public enum SimilarityLoss
{
    /// <summary>Mean squared error between the label and the score (cosine mapped to the label range).</summary>
    MeanSquaredError,

    /// <summary>
    /// CoSENT: log(1 + sum over pairs (i, j) of the batch with label_i &gt; label_j of exp(lambda (cos_j - cos_i))).
    /// Only the order of the labels matters, so the scores rank well but are not calibrated to the label scale.
    /// </summary>
    CoSent,
}

/// <summary>
/// The affine map from cosine similarity to the label range: score = min + (max - min) cos, so cos 0 (orthogonal,
/// unrelated) gives min and cos 1 (same direction) gives max, as in sentence-transformers' cosine loss. [0, 1] rather
/// than [-1, 1] because many mutually unrelated sentences can all be orthogonal, but not all pairwise opposite: with
/// [-1, 1] the lowest label would ask for an impossible geometry. A negative cosine scores below min (not clamped,
/// so it keeps its gradient).
/// </summary>
/// <param name="Min">Label (score) for cos = 0.</param>
/// <param name="Max">Label (score) for cos = 1.</param>
public readonly record struct ScoreRange(float Min, float Max)
{
    /// <summary>d score / d cos.</summary>
    public float Slope => Max - Min;

    /// <summary>The score of a cosine.</summary>
    public float ToScore(float cos) => Min + Slope * cos;
}

/// <summary>Loss values and dL/dcos for a batch of pair cosines.</summary>
public static class SimilarityLosses
{
    /// <summary>The CoSENT scale lambda used by the sentence-transformers recipe.</summary>
    public const float DefaultCoSentScale = 20f;

    /// <summary>Mean over the batch of (score_b - label_b)^2; writes dL/dcos (overwrites).</summary>
    public static double MeanSquaredError(ReadOnlySpan<float> cos, ReadOnlySpan<float> labels, ScoreRange range, Span<float> dCos, int batch)
    {
        double loss = 0;
        float slope = range.Slope;
        for (int b = 0; b < batch; b++)
        {
            float e = range.ToScore(cos[b]) - labels[b];
            loss += (double)e * e;
            dCos[b] = 2f * e * slope / batch;
        }
        return loss / batch;
    }

    /// <summary>
    /// CoSENT over every ordered pair (i, j) of the batch with labels[i] &gt; labels[j]:
    /// L = log(1 + sum exp(scale (cos_j - cos_i))), computed with the log-sum-exp shift; writes dL/dcos (overwrites).
    /// A batch whose labels are all equal has loss 0 and no gradient.
    /// </summary>
    public static double CoSent(ReadOnlySpan<float> cos, ReadOnlySpan<float> labels, float scale, Span<float> dCos, int batch)
    {
        dCos[..batch].Clear();
        double max = 0; // the "1" inside the log is exp(0)
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j < batch; j++)
            {
                if (labels[i] > labels[j])
                {
                    max = Math.Max(max, scale * ((double)cos[j] - cos[i]));
                }
            }
        }
        double sum = Math.Exp(-max);
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j < batch; j++)
            {
                if (labels[i] > labels[j])
                {
                    sum += Math.Exp(scale * ((double)cos[j] - cos[i]) - max);
                }
            }
        }
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j < batch; j++)
            {
                if (labels[i] > labels[j])
                {
                    // d/dz of log-sum-exp is the softmax weight of that term; z = scale (cos_j - cos_i).
                    float w = (float)(Math.Exp(scale * ((double)cos[j] - cos[i]) - max) / sum * scale);
                    dCos[j] += w;
                    dCos[i] -= w;
                }
            }
        }
        return max + Math.Log(sum);
    }
}
