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

    /// <summary>
    /// YaRN (Peng et al. 2023): pairs that turn many times over the original length keep their frequency, pairs that turn
    /// less than once are interpolated (frequency / factor), a linear ramp in between; q and k are scaled by 0.1 ln(factor) + 1.
    /// </summary>
    Yarn,
}

/// <summary>
/// An immutable RoPE scaling rule: <see cref="None"/>, <see cref="Linear"/>, <see cref="NtkAware"/> or <see cref="Yarn"/>
/// with a fixed factor (part of the scheme: it acts in training and at inference alike), or one of those rules with a
/// factor chosen per sequence (<see cref="Dynamic"/>: the inference-only switch).
/// </summary>
public sealed record RotaryScaling
{
    private const double DefaultAlpha = 1, DefaultBeta = 32;

    private RotaryScaling(RotaryScalingKind kind, double factor, int originalLength = 0, double alpha = DefaultAlpha,
        double beta = DefaultBeta, bool isDynamic = false)
    {
        Kind = kind;
        Factor = factor;
        OriginalLength = originalLength;
        Alpha = alpha;
        Beta = beta;
        IsDynamic = isDynamic;
    }

    /// <summary>The rule.</summary>
    public RotaryScalingKind Kind { get; }

    /// <summary>The factor (1 for <see cref="RotaryScalingKind.None"/>; 1 for a dynamic rule, whose factor is per sequence: <see cref="FactorFor"/>).</summary>
    public double Factor { get; }

    /// <summary>
    /// The context length the model was trained for (YaRN's ramp and the dynamic factor are measured against it);
    /// 0 for rules that do not use it.
    /// </summary>
    public int OriginalLength { get; }

    /// <summary>YaRN: pairs turning at most alpha times over <see cref="OriginalLength"/> are fully interpolated.</summary>
    public double Alpha { get; }

    /// <summary>YaRN: pairs turning at least beta times over <see cref="OriginalLength"/> keep their frequency.</summary>
    public double Beta { get; }

    /// <summary>
    /// True when the factor is chosen per sequence of n real tokens as max(1, n / <see cref="OriginalLength"/>)
    /// (<see cref="Dynamic"/>).
    /// </summary>
    public bool IsDynamic { get; }

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

    /// <summary>
    /// YaRN (Peng et al. 2023, "YaRN: Efficient Context Window Extension of Large Language Models"). Pair d turns at
    /// theta_d with wavelength lambda_d = 2 pi / theta_d, i.e. r_d = <paramref name="originalLength"/> / lambda_d times over
    /// the original length; with the ramp gamma_d = clamp((r_d - alpha) / (beta - alpha), 0, 1) its frequency becomes
    /// (1 - gamma_d) theta_d / factor + gamma_d theta_d: fast pairs (r_d &gt;= beta) are untouched, slow ones (r_d &lt;= alpha)
    /// interpolated as by <see cref="Linear"/>. q and k are also multiplied by 0.1 ln(factor) + 1 each, so the q.k logits
    /// carry (0.1 ln(factor) + 1)^2 (YaRN's attention temperature). A fixed factor acts in training and at inference alike;
    /// factor 1 leaves the scheme exactly unscaled. For the per-sequence form see <see cref="Dynamic"/>.
    /// </summary>
    /// <param name="factor">Context extension factor (&gt;= 1).</param>
    /// <param name="originalLength">Context length the model is trained for (&gt;= 1).</param>
    /// <param name="alpha">Ramp start in turns over the original length (0 &lt;= alpha &lt; beta).</param>
    /// <param name="beta">Ramp end in turns over the original length.</param>
    public static RotaryScaling Yarn(double factor, int originalLength, double alpha = DefaultAlpha, double beta = DefaultBeta)
    {
        OptionCheck.AtLeast(factor, 1, "scaling.factor");
        CheckYarn(originalLength, alpha, beta);
        return new(RotaryScalingKind.Yarn, factor, originalLength, alpha, beta);
    }

    /// <summary>
    /// Dynamic scaling, the inference-only switch: for each sequence of n real tokens the factor is
    /// max(1, n / <paramref name="originalLength"/>) and <paramref name="rule"/> (Linear, NtkAware or Yarn) is applied with it.
    /// Every sequence of at most <paramref name="originalLength"/> tokens gets factor 1, i.e. exactly the unscaled scheme:
    /// a model trained on sequences no longer than <paramref name="originalLength"/> trains bit for bit as with
    /// <see cref="None"/>, and the scaling only acts on longer inputs at inference. Sequences of different lengths in one
    /// batch each get their own factor.
    /// </summary>
    /// <param name="rule">The rule applied with the per-sequence factor: Linear, NtkAware or Yarn.</param>
    /// <param name="originalLength">The training length (&gt;= 1); longer sequences are scaled.</param>
    /// <param name="alpha">YaRN ramp start (<paramref name="rule"/> Yarn only; other rules keep the default).</param>
    /// <param name="beta">YaRN ramp end (<paramref name="rule"/> Yarn only; other rules keep the default).</param>
    public static RotaryScaling Dynamic(RotaryScalingKind rule, int originalLength, double alpha = DefaultAlpha, double beta = DefaultBeta)
    {
        if (rule is not (RotaryScalingKind.Linear or RotaryScalingKind.NtkAware or RotaryScalingKind.Yarn))
            throw new ArgumentException($"Option 'scaling.type' of a dynamic scaling must be Linear, NtkAware or Yarn, got {rule}.", "scaling.type");
        CheckYarn(originalLength, alpha, beta);
        if (rule != RotaryScalingKind.Yarn && (alpha != DefaultAlpha || beta != DefaultBeta))
            throw new ArgumentException($"Options 'scaling.alpha' and 'scaling.beta' apply to the Yarn rule only, got {rule} with alpha {alpha}, beta {beta}.", "scaling.alpha");
        return new(rule, 1, originalLength, alpha, beta, isDynamic: true);
    }

    /// <summary>The factor for a sequence of <paramref name="sequenceLength"/> real tokens: <see cref="Factor"/>, or max(1, n / OriginalLength) when dynamic.</summary>
    public double FactorFor(int sequenceLength) =>
        IsDynamic && sequenceLength > OriginalLength ? sequenceLength / (double)OriginalLength : Factor;

    /// <summary>
    /// The factor on each of q and k for a sequence of <paramref name="sequenceLength"/> real tokens: 0.1 ln(factor) + 1 for
    /// YaRN (so the logits carry its square), 1 otherwise.
    /// </summary>
    public double QueryKeyScale(int sequenceLength)
    {
        if (Kind != RotaryScalingKind.Yarn) return 1;
        double factor = FactorFor(sequenceLength);
        return factor == 1 ? 1 : (0.1 * Math.Log(factor)) + 1;
    }

    /// <summary>The fixed scaling a sequence of <paramref name="sequenceLength"/> real tokens gets (this one unless dynamic).</summary>
    internal RotaryScaling ForLength(int sequenceLength)
    {
        if (!IsDynamic) return this;
        double factor = FactorFor(sequenceLength);
        if (factor == 1) return None;
        return Kind switch
        {
            RotaryScalingKind.Linear => new(RotaryScalingKind.Linear, factor),
            RotaryScalingKind.NtkAware => new(RotaryScalingKind.NtkAware, factor),
            _ => new(RotaryScalingKind.Yarn, factor, OriginalLength, Alpha, Beta),
        };
    }

    private static void CheckYarn(int originalLength, double alpha, double beta)
    {
        OptionCheck.Positive(originalLength, "scaling.originalLength");
        OptionCheck.AtLeast(alpha, 0, "scaling.alpha");
        if (!(beta > alpha) || double.IsInfinity(beta))
            throw new ArgumentException($"Option 'scaling.beta' must be a finite number > alpha ({alpha}), got {beta}.", "scaling.beta");
    }

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = JsonOptions.Name(Kind), ["factor"] = Factor };
        if (OriginalLength > 0)
        {
            json["originalLength"] = OriginalLength;
            json["alpha"] = Alpha;
            json["beta"] = Beta;
        }
        if (IsDynamic) json["dynamic"] = true;
        return json;
    }

    internal static RotaryScaling FromJson(JsonObject? json)
    {
        if (json is null) return None;
        var kind = JsonOptions.Enum(json, "type", RotaryScalingKind.None);
        double factor = JsonOptions.Double(json, "factor", 1);
        int originalLength = JsonOptions.Int(json, "originalLength", 0);
        double alpha = JsonOptions.Double(json, "alpha", DefaultAlpha), beta = JsonOptions.Double(json, "beta", DefaultBeta);
        if (JsonOptions.Bool(json, "dynamic", false)) return Dynamic(kind, originalLength, alpha, beta);
        return kind switch
        {
            RotaryScalingKind.Linear => Linear(factor),
            RotaryScalingKind.NtkAware => NtkAware(factor),
            RotaryScalingKind.Yarn => Yarn(factor, originalLength, alpha, beta),
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
    /// (pair i is dims (2i, 2i+1) when Interleaved, (i, i+r/2) when RotateHalf). cos/sin of it, times
    /// <see cref="RotaryScaling.QueryKeyScale"/> (YaRN), are what the module uses. With a dynamic <see cref="Scaling"/> these
    /// are the angles of a sequence of <paramref name="length"/> real tokens (its factor is max(1, length / original length)).
    /// </summary>
    public float[] Angles(int length, int headDimension) => new RotaryGeometry(Options, headDimension).ForLength(length).Angles(length);

    /// <inheritdoc/>
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["kind"] = KindName };
        Options.WriteTo(json);
        return json;
    }

    internal static RotaryEncoding FromJsonOptions(JsonObject json) => new(RotaryOptions.Read(json));
}
