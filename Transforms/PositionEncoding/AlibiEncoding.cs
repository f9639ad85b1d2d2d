using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

/// <summary>Whether ALiBi penalises distance the same way on both sides of the query.</summary>
public enum AlibiForm
{
    /// <summary>bias = -m_h |i - j| (the original, causal-LM form). In an encoder it cannot tell left from right.</summary>
    Symmetric,

    /// <summary>bias = -left_h (i - j) for keys left of the query, -right_h (j - i) for keys right of it.</summary>
    Bidirectional,
}

public abstract partial class PositionEncoding
{
    /// <summary>
    /// ALiBi: a per-head linear distance penalty on the attention logits. Symmetric slopes are the geometric sequence
    /// 2^(-8h/H), h = 1..H (for H not a power of two: the sequence of the power of two below H, then every other
    /// slope of the next power of two). Bidirectional slopes split the 2H-head sequence: left_h = s_{2h},
    /// right_h = s_{2h-1}, so the left slopes are the standard ones when H is a power of two and every head
    /// decays faster to its right than to its left.
    /// </summary>
    /// <param name="form">Bidirectional (default, so an encoder can tell order) or Symmetric.</param>
    /// <param name="learnSlopes">Learn the slopes (starting from the fixed values), shared by all layers.</param>
    public static AlibiEncoding ALiBi(AlibiForm form = AlibiForm.Bidirectional, bool learnSlopes = false)
    {
        OptionCheck.Defined(form, nameof(form));
        return new AlibiEncoding(form, learnSlopes);
    }
}

/// <summary>
/// ALiBi. Inspection: <see cref="Bias"/> for the fixed slopes (the module, an <see cref="IRelativeBiasSource"/>,
/// gives the learned ones).
/// </summary>
public sealed class AlibiEncoding : PositionEncoding
{
    internal const string KindName = "alibi";

    internal AlibiEncoding(AlibiForm form, bool learnSlopes)
    {
        Form = form;
        LearnSlopes = learnSlopes;
    }

    /// <summary>Symmetric or Bidirectional.</summary>
    public AlibiForm Form { get; }

    /// <summary>Whether the slopes are learned.</summary>
    public bool LearnSlopes { get; }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>The standard geometric slopes for <paramref name="heads"/> heads (2^(-8h/H) when H is a power of two).</summary>
    public static double[] GeometricSlopes(int heads)
    {
        OptionCheck.Positive(heads, nameof(heads));
        static double[] PowerOfTwo(int n)
        {
            var s = new double[n];
            for (int h = 1; h <= n; h++) s[h - 1] = Math.Pow(2, -8.0 * h / n);
            return s;
        }
        int p = 1;
        while (p * 2 <= heads) p *= 2;
        if (p == heads) return PowerOfTwo(heads);
        var low = PowerOfTwo(p);
        var high = PowerOfTwo(2 * p);
        var result = new double[heads];
        low.CopyTo(result, 0);
        for (int i = 0; i < heads - p; i++) result[p + i] = high[2 * i];
        return result;
    }

    /// <summary>Initial slopes [2, H]: row 0 for keys left of the query (j &lt; i), row 1 for keys right of it.</summary>
    public double[] InitialSlopes(int heads)
    {
        var slopes = new double[2 * heads];
        if (Form == AlibiForm.Symmetric)
        {
            var s = GeometricSlopes(heads);
            s.CopyTo(slopes, 0);
            s.CopyTo(slopes, heads);
            return slopes;
        }
        var both = GeometricSlopes(2 * heads);
        for (int h = 0; h < heads; h++)
        {
            slopes[h] = both[(2 * h) + 1];
            slopes[heads + h] = both[2 * h];
        }
        return slopes;
    }

    /// <summary>The fixed bias [H, T, T] (query i, key j) with the initial slopes.</summary>
    public float[] Bias(int heads, int length)
    {
        var s = InitialSlopes(heads);
        var bias = new float[heads * length * length];
        for (int h = 0; h < heads; h++)
            AlibiModule.WriteBias(bias.AsSpan(h * length * length, length * length), length, (float)s[h], (float)s[heads + h]);
        return bias;
    }

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new AlibiModule(this, shape.Heads);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["kind"] = KindName,
        ["form"] = JsonOptions.Name(Form),
        ["learnSlopes"] = LearnSlopes,
    };

    internal static AlibiEncoding FromJsonOptions(JsonObject json) => ALiBi(
        JsonOptions.Enum(json, "form", AlibiForm.Bidirectional),
        JsonOptions.Bool(json, "learnSlopes", false));
}
