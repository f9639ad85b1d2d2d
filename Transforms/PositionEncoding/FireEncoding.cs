using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

public abstract partial class PositionEncoding
{
    /// <summary>
    /// FIRE (functional interpolation for relative positions): bias_h(i,j) = f(u)_h, f a learned MLP
    /// 1 -> <paramref name="hidden"/> (ReLU) -> H, shared by all layers, of the normalised distance
    /// u = sign(j-i) psi(|j-i|) / psi(max(far, L)), psi(x) = log(c x + 1) with learned c &gt; 0 (kept as log c) and
    /// threshold L. The paper is causal and normalises by the query position i (the distance to the sequence's
    /// start); this bidirectional adaptation normalises by the distance to the far end in the direction of the key:
    /// far = i for keys on the left, N-1-i for keys on the right (N the real length), so u spans [-1, 1] and a
    /// key at either end of the sequence maps to +-1 whatever the length. The normaliser is floored at 1.
    /// </summary>
    /// <param name="hidden">MLP hidden width (&gt; 0).</param>
    /// <param name="threshold">Initial threshold L (&gt; 0): short distances to the end are normalised by L instead.</param>
    /// <param name="learnThreshold">Learn L (true) or keep it fixed.</param>
    /// <param name="initC">Initial c (&gt; 0).</param>
    /// <param name="initScale">
    /// Bound a (&gt; 0) of the uniform initialisation U(-a, a) of the MLP's first layer (weights and biases); the second
    /// layer starts at U(-1/sqrt(hidden), 1/sqrt(hidden)). PyTorch's <c>nn.Linear</c> default for one input is a = 1,
    /// which starts every bias within about +-1 logit: with AdamW's step size of about the learning rate per step, the
    /// MLP then takes thousands of steps to grow the sharp, logit-sized differences between neighbouring distances that
    /// local order needs, and at the default budget FIRE never learned a task like "is 'not' right before the
    /// adjective" (0.49, in PyTorch too). The default 30 starts f with biases of several logits that vary sharply with u
    /// (SCHEMES.md, "Initial scales", has the measurements).
    /// </param>
    public static FireEncoding Fire(int hidden = 32, double threshold = 8, bool learnThreshold = true, double initC = 1.0,
        double initScale = FireEncoding.DefaultInitScale)
    {
        OptionCheck.Positive(hidden, nameof(hidden));
        OptionCheck.Positive(threshold, nameof(threshold));
        OptionCheck.Positive(initC, nameof(initC));
        OptionCheck.Positive(initScale, nameof(initScale));
        return new FireEncoding(hidden, threshold, learnThreshold, initC, initScale);
    }
}

/// <summary>
/// FIRE; parameters "position.fire.w1" [hidden], "position.fire.b1" [hidden], "position.fire.w2" [H, hidden],
/// "position.fire.b2" [H], "position.fire.logC" [1] and, when learned, "position.fire.threshold" [1]. Inspection:
/// <see cref="NormalisedDistance"/> for the MLP input; the module (an <see cref="IRelativeBiasSource"/>) gives the bias.
/// </summary>
public sealed class FireEncoding : PositionEncoding
{
    internal const string KindName = "fire";

    /// <summary>The default <see cref="InitScale"/>.</summary>
    public const double DefaultInitScale = 30;

    internal FireEncoding(int hidden, double threshold, bool learnThreshold, double initC, double initScale)
    {
        InitScale = initScale;
        Hidden = hidden;
        Threshold = threshold;
        LearnThreshold = learnThreshold;
        InitC = initC;
    }

    /// <summary>MLP hidden width.</summary>
    public int Hidden { get; }

    /// <summary>Initial (or fixed) threshold L.</summary>
    public double Threshold { get; }

    /// <summary>Whether L is learned.</summary>
    public bool LearnThreshold { get; }

    /// <summary>Initial c.</summary>
    public double InitC { get; }

    /// <summary>Bound of the uniform initialisation of the MLP's first layer.</summary>
    public double InitScale { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>
    /// The MLP input u for query <paramref name="query"/>, key <paramref name="key"/> in a sequence of real length
    /// <paramref name="sequenceLength"/>, for given c and L (the module's current values).
    /// </summary>
    public static double NormalisedDistance(int query, int key, int sequenceLength, double c, double threshold)
    {
        int r = key - query;
        if (r == 0) return 0;
        int far = r > 0 ? sequenceLength - 1 - query : query;
        double m = Math.Max(Math.Max(far, threshold), 1);
        return Math.Sign(r) * Math.Log((c * Math.Abs(r)) + 1) / Math.Log((c * m) + 1);
    }

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new FireModule(this, shape.Heads, seed);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["kind"] = KindName,
        ["hidden"] = Hidden,
        ["threshold"] = Threshold,
        ["learnThreshold"] = LearnThreshold,
        ["initC"] = InitC,
        ["initScale"] = InitScale,
    };

    internal static FireEncoding FromJsonOptions(JsonObject json) => Fire(
        JsonOptions.Int(json, "hidden", 32),
        JsonOptions.Double(json, "threshold", 8),
        JsonOptions.Bool(json, "learnThreshold", true),
        JsonOptions.Double(json, "initC", 1.0),
        JsonOptions.Double(json, "initScale", FireEncoding.DefaultInitScale)); // only training reads it; saved weights are loaded as they are
}
