using MLComponents.MLNet;
using MLComponents.Numerics;

namespace MLComponents;

/// <summary>
/// A scheme bound to a geometry (dimension D, heads H) and a seed, answering the featurisers' questions through the
/// schemes' own inspection API (never re-deriving their maths): absolute vectors, rotations, relative biases and
/// distances. Learned schemes get a module built with the seed (so their values are the seeded initial values a
/// Transformer would start from) whose parameters are saved and restored by name.
/// </summary>
internal sealed class PositionSource
{
    private readonly PositionModule _module;

    // Modules keep caches sized to the longest length seen (T5's bucket table); cursors on several threads share this one.
    private readonly Lock _moduleLock = new();

    public PositionSource(PositionEncoding scheme, int dimension, int heads, int seed)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        if (dimension < 2 || dimension % 2 != 0 || dimension > FeaturiserLimits.MaxDimension)
            throw new ArgumentException($"Option 'dimension' must be an even number in [2, {FeaturiserLimits.MaxDimension}], got {dimension}.", nameof(dimension));
        if (heads < 1 || dimension % heads != 0)
            throw new ArgumentException($"Option 'heads' must be a positive divisor of dimension {dimension}, got {heads}.", nameof(heads));
        Scheme = scheme;
        Dimension = dimension;
        Heads = heads;
        Seed = seed;
        // The module's MaxTokens only sizes caches of fixed schemes; 1 keeps construction cheap.
        _module = scheme.CreateModule(new PositionModuleShape(dimension, heads, 1, 1), seed);
    }

    public PositionEncoding Scheme { get; }
    public int Dimension { get; }
    public int Heads { get; }
    public int Seed { get; }

    /// <summary>Learned values (empty for fixed schemes).</summary>
    public IReadOnlyList<Parameter> Parameters => _module.Parameters;

    public bool HasAbsolute => Scheme is NoPositionEncoding or SinusoidalEncoding || _module is IAbsolutePositionSource;

    public bool HasRotation => Scheme is RotaryEncoding or XPosEncoding
        || (Scheme is SinusoidalEncoding s && s.Combine == PositionCombine.Add);

    public bool HasBias => _module is IRelativeBiasSource;

    // The scaled scheme's pairwise d(i, j) and its encodings belong to the bias form; the embedding form is absolute.
    public bool HasDistances => Scheme is ShawRelativeEncoding or T5BiasEncoding or FireEncoding or ScaledRelativeEncoding { Form: ScaledForm.Bias };

    public bool HasRelativeEncodings => Scheme is ScaledRelativeEncoding { Form: ScaledForm.Bias };

    /// <summary>Width of one position's absolute vector.</summary>
    public int AbsoluteWidth => Scheme switch
    {
        SinusoidalEncoding s => s.EncodingWidth(Dimension),
        _ when _module is IAbsolutePositionSource a => a.EncodingWidth,
        _ => Dimension,
    };

    /// <summary>Absolute vectors [length, AbsoluteWidth]; the None scheme gives zeros (it adds nothing).</summary>
    public float[] Absolute(int length) => Scheme switch
    {
        NoPositionEncoding => new float[length * Dimension],
        SinusoidalEncoding s => s.Encodings(length, Dimension),
        _ when _module is IAbsolutePositionSource a => Locked(() => a.Encodings(length)),
        _ => throw new InvalidOperationException($"Scheme '{Scheme.Kind}' has no absolute per-position vectors."),
    };

    /// <summary>Number of rotated pairs for a vector of width Dimension (RoPE/xPos may rotate only a fraction).</summary>
    public int Pairs => Scheme switch
    {
        RotaryEncoding r => r.Angles(1, Dimension).Length,
        XPosEncoding x => x.Angles(1, Dimension).Length,
        _ => Dimension / 2,
    };

    /// <summary>
    /// The rotation of every position: cos and sin [length, Pairs] (xPos: times its query scale; YaRN: times its q/k scale) and, per pair, the two
    /// dimensions it turns (first, second): x'[first] = c x[first] - s x[second], x'[second] = s x[first] + c x[second].
    /// </summary>
    public void Rotation(int length, float[] cos, float[] sin, int[] first, int[] second)
    {
        int pairs = Pairs;
        switch (Scheme)
        {
            case RotaryEncoding r:
                FromAngles(r.Angles(length, Dimension), null, r.Scaling.QueryKeyScale(length), length, pairs, cos, sin);
                PairDims(r.Pairing == RotaryPairing.Interleaved, pairs, first, second);
                break;
            case XPosEncoding x:
                FromAngles(x.Angles(length, Dimension), x.QueryScales(length, Dimension, length), x.Scaling.QueryKeyScale(length), length, pairs, cos, sin);
                PairDims(x.Pairing == RotaryPairing.Interleaved, pairs, first, second);
                break;
            case SinusoidalEncoding s when s.Combine == PositionCombine.Add:
            {
                // The sinusoidal table holds scale*sin and scale*cos of position x frequency: exactly a rotation's entries.
                var table = s.Encodings(length, Dimension);
                bool interleaved = s.Layout == SinusoidalLayout.Interleaved;
                float inv = (float)(1 / s.Scale);
                for (int t = 0; t < length; t++)
                    for (int m = 0; m < pairs; m++)
                    {
                        int row = t * Dimension;
                        sin[(t * pairs) + m] = table[row + (interleaved ? 2 * m : m)] * inv;
                        cos[(t * pairs) + m] = table[row + (interleaved ? (2 * m) + 1 : pairs + m)] * inv;
                    }
                PairDims(interleaved, pairs, first, second);
                break;
            }
            default:
                throw new InvalidOperationException($"Scheme '{Scheme.Kind}' has no per-position rotation.");
        }
    }

    // yarn: YaRN's q/k scale (1 otherwise), on every entry.
    private static void FromAngles(float[] angles, float[]? scales, double yarn, int length, int pairs, float[] cos, float[] sin)
    {
        for (int n = 0; n < length * pairs; n++)
        {
            double a = angles[n], g = (scales?[n] ?? 1) * yarn;
            cos[n] = (float)(g * Math.Cos(a));
            sin[n] = (float)(g * Math.Sin(a));
        }
    }

    private static void PairDims(bool interleaved, int pairs, int[] first, int[] second)
    {
        for (int i = 0; i < pairs; i++)
        {
            first[i] = interleaved ? 2 * i : i;
            second[i] = interleaved ? (2 * i) + 1 : i + pairs;
        }
    }

    /// <summary>Relative bias [H, length, length] (query i, key j) of a sequence of that length.</summary>
    public float[] Bias(int length) => _module is IRelativeBiasSource b
        ? Locked(() => b.Bias(length, length))
        : throw new InvalidOperationException($"Scheme '{Scheme.Kind}' has no content-independent relative bias.");

    private float[] Locked(Func<float[]> compute)
    {
        lock (_moduleLock) return compute();
    }

    /// <summary>Number of heads of <see cref="Bias"/>.</summary>
    public int BiasHeads => _module is IRelativeBiasSource b ? b.Heads : Heads;

    /// <summary>
    /// The scheme's [length, length] relative position index of (query i, key j): Shaw's clipped index, T5's bucket,
    /// the scaled scheme's d(i, j), FIRE's normalised distance u (with its initial c and threshold, which the featuriser
    /// never changes).
    /// </summary>
    public float[] Distances(int length)
    {
        switch (Scheme)
        {
            case ShawRelativeEncoding s: return Array.ConvertAll(s.DistanceIndices(length), v => (float)v);
            case T5BiasEncoding t: return Array.ConvertAll(t.BucketMatrix(length), v => (float)v);
            case ScaledRelativeEncoding: return ScaledRelativeEncoding.Distances(length, length);
            case FireEncoding f:
            {
                var d = new float[length * length];
                for (int i = 0; i < length; i++)
                    for (int j = 0; j < length; j++)
                        d[(i * length) + j] = (float)FireEncoding.NormalisedDistance(i, j, length, f.InitC, f.Threshold);
                return d;
            }
            default: throw new InvalidOperationException($"Scheme '{Scheme.Kind}' has no relative distance matrix.");
        }
    }

    /// <summary>The scaled scheme's encodings of d(i, j): [length, length, width].</summary>
    public float[] RelativeEncodings(int length) => Scheme is ScaledRelativeEncoding s
        ? s.Encodings(length, length)
        : throw new InvalidOperationException($"Scheme '{Scheme.Kind}' has no relative encodings.");

    /// <summary>Width of one (i, j) relative encoding.</summary>
    public int RelativeWidth => Scheme is ScaledRelativeEncoding s ? s.Width : 0;

    public void Save(ComponentSaveContext ctx)
    {
        ctx.Options["scheme"] = Scheme.ToJson();
        ctx.Options["dimension"] = Dimension;
        ctx.Options["heads"] = Heads;
        ctx.Options["seed"] = Seed;
        foreach (var p in Parameters) ctx.AddTensor(p.Name, p.Value, p.Shape);
    }

    public static PositionSource Load(ComponentLoadContext ctx)
    {
        PositionSource source;
        try
        {
            var scheme = PositionEncoding.FromJson(ctx.GetOption<System.Text.Json.Nodes.JsonObject>("scheme"));
            source = new PositionSource(scheme, ctx.GetOption<int>("dimension"), ctx.GetOption<int>("heads"), ctx.GetOption<int>("seed"));
        }
        catch (ArgumentException e)
        {
            throw ctx.Fail(ComponentLoadContext.OptionsEntry, $"invalid position-encoding options: {e.Message}", e);
        }
        // The stored values win over the seeded ones, so a model keeps its numbers even if an initialiser changes.
        foreach (var p in source.Parameters) ctx.GetFloatTensor(p.Name, p.Shape).CopyTo(p.Value, 0);
        return source;
    }
}
