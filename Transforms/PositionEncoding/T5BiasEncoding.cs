using System.Text.Json.Nodes;
using MLComponents.Numerics;

namespace MLComponents;

public abstract partial class PositionEncoding
{
    /// <summary>
    /// T5 relative attention bias: the signed distance j - i is put in one of <paramref name="numBuckets"/> buckets
    /// (half per direction; within a direction distances below a quarter of the buckets get their own bucket, larger
    /// ones share log-spaced buckets up to <paramref name="maxDistance"/>, beyond which all share the last), and a
    /// learned [buckets, H] table gives the bias. The table is shared by all layers, as in T5.
    /// </summary>
    /// <param name="numBuckets">Total buckets (even, &gt;= 4).</param>
    /// <param name="maxDistance">Distance at which the logarithmic buckets end (&gt; numBuckets/4).</param>
    /// <param name="initStd">
    /// Standard deviation of the Normal initialisation of the exact buckets, the short distances that each have a bucket
    /// of their own (&gt; 0). The default 1 (torch's <c>nn.Embedding</c> default) starts them a few logits apart, so
    /// training only has to pick the distances that matter; at 0.02 they start near 0 and AdamW, which moves each entry
    /// by about the learning rate per step, needs thousands of steps to grow the logit-sized bias a local relation such
    /// as "not right before the adjective" needs (SCHEMES.md, "Initial scales").
    /// </param>
    /// <param name="logInitStd">
    /// Standard deviation of the Normal initialisation of the log-spaced buckets, which distances beyond the exact range
    /// share (&gt; 0). The default 0.02 starts them near 0: a bucket of distances longer than any training sequence is
    /// never trained and keeps its initial bias at inference, and near 0 is no preference rather than a random one.
    /// </param>
    public static T5BiasEncoding T5Bias(int numBuckets = 32, int maxDistance = 128, double initStd = T5BiasEncoding.DefaultInitStd,
        double logInitStd = T5BiasEncoding.DefaultLogInitStd)
    {
        if (numBuckets < 4 || numBuckets % 2 != 0)
            throw new ArgumentException($"Option 'numBuckets' must be an even number >= 4, got {numBuckets}.", nameof(numBuckets));
        if (maxDistance <= numBuckets / 4)
            throw new ArgumentException($"Option 'maxDistance' must exceed numBuckets/4 = {numBuckets / 4} (the exact range), got {maxDistance}.", nameof(maxDistance));
        OptionCheck.Positive(initStd, nameof(initStd));
        OptionCheck.Positive(logInitStd, nameof(logInitStd));
        return new T5BiasEncoding(numBuckets, maxDistance, initStd, logInitStd);
    }
}

/// <summary>
/// T5 bucketed relative bias; parameter "position.t5.bias" [numBuckets, H]. Inspection: <see cref="Bucket"/> /
/// <see cref="BucketMatrix"/>; the module (an <see cref="IRelativeBiasSource"/>) gives the [H, T, T] bias.
/// </summary>
public sealed class T5BiasEncoding : PositionEncoding
{
    internal const string KindName = "t5";

    /// <summary>The default <see cref="InitStd"/>.</summary>
    public const double DefaultInitStd = 1;

    /// <summary>The default <see cref="LogInitStd"/>.</summary>
    public const double DefaultLogInitStd = 0.02;

    internal T5BiasEncoding(int numBuckets, int maxDistance, double initStd, double logInitStd)
    {
        NumBuckets = numBuckets;
        MaxDistance = maxDistance;
        InitStd = initStd;
        LogInitStd = logInitStd;
    }

    /// <summary>Total buckets.</summary>
    public int NumBuckets { get; }

    /// <summary>End of the logarithmic range.</summary>
    public int MaxDistance { get; }

    /// <summary>Initial standard deviation of the exact buckets (each short distance its own).</summary>
    public double InitStd { get; }

    /// <summary>Initial standard deviation of the log-spaced buckets (longer distances, shared).</summary>
    public double LogInitStd { get; }

    /// <summary>Whether <paramref name="bucket"/> holds one distance of the exact range (else a log-spaced range).</summary>
    public bool IsExactBucket(int bucket) => bucket % (NumBuckets / 2) < ExactRange;

    /// <summary>Distances below this have a bucket each, in either direction.</summary>
    private int ExactRange => NumBuckets / 4;

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>
    /// Bucket of the signed distance <paramref name="relative"/> = j - i (key minus query). Keys to the right (j &gt; i)
    /// use buckets numBuckets/2 .. numBuckets-1, the rest 0 .. numBuckets/2-1.
    /// </summary>
    public int Bucket(int relative)
    {
        int half = NumBuckets / 2, exact = ExactRange;
        int offset = relative > 0 ? half : 0;
        int a = Math.Abs(relative);
        if (a < exact) return offset + a;
        // log(a/exact) / log(maxDistance/exact) of the way through the remaining half - exact buckets.
        double fraction = Math.Log(a / (double)exact) / Math.Log(MaxDistance / (double)exact);
        int large = exact + (int)(fraction * (half - exact));
        return offset + Math.Min(large, half - 1);
    }

    /// <summary>Bucket index of every (query i, key j), row-major [length, length].</summary>
    public int[] BucketMatrix(int length)
    {
        var m = new int[length * length];
        for (int i = 0; i < length; i++)
            for (int j = 0; j < length; j++)
                m[(i * length) + j] = Bucket(j - i);
        return m;
    }

    /// <inheritdoc/>
    public override PositionModule CreateModule(PositionModuleShape shape, int seed) => new T5BiasModule(this, shape, seed);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new()
    {
        ["kind"] = KindName,
        ["numBuckets"] = NumBuckets,
        ["maxDistance"] = MaxDistance,
        ["initStd"] = InitStd,
        ["logInitStd"] = LogInitStd,
    };

    internal static T5BiasEncoding FromJsonOptions(JsonObject json) => T5Bias(
        JsonOptions.Int(json, "numBuckets", 32),
        JsonOptions.Int(json, "maxDistance", 128),
        JsonOptions.Double(json, "initStd", DefaultInitStd),
        JsonOptions.Double(json, "logInitStd", DefaultLogInitStd));
}
