using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

[TestClass]
public sealed class T5BiasTests
{
    [TestMethod]
    public void MatchesPyTorchGolden()
    {
        var c = Case("t5_small");
        int b = Int(c, "B"), h = Int(c, "H"), t = Int(c, "T"), dh = Int(c, "dh");
        var scheme = PE.T5Bias(8, 10);
        CollectionAssert.AreEqual(Ints(c, "buckets"), scheme.BucketMatrix(t));
        var module = scheme.CreateModule(new PositionModuleShape(h * dh, h, 2, 5), 0); // MaxTokens 5 < T: tables grow
        LoadParameters(module, c);
        var logits = Floats(c, "logits");
        module.ForwardLogits(1, new float[b * h * t * dh], logits, new PositionBatch(b, t, Ints(c, "lengths")), h, dh, 0.5f);
        AreClose(Floats(c, "out"), logits, 1e-6, "logits");
    }

    [TestMethod]
    public void DefaultBucketsMatchPyTorch()
    {
        var c = Case("t5_default_buckets");
        var rel = Ints(c, "relative");
        var expected = Ints(c, "buckets");
        var scheme = PE.T5Bias();
        for (int i = 0; i < rel.Length; i++) Assert.AreEqual(expected[i], scheme.Bucket(rel[i]), $"relative {rel[i]}");
    }

    [TestMethod]
    public void HandWorkedBuckets()
    {
        // Defaults: 16 buckets per direction, 8 exact. Right of the query adds 16.
        // |r| = 16: 8 + floor(log(16/8) / log(128/8) * 8) = 8 + floor(0.25 * 8) = 10.  |r| >= 128: last bucket 15.
        var s = PE.T5Bias();
        Assert.AreEqual(0, s.Bucket(0));
        Assert.AreEqual(5, s.Bucket(-5));
        Assert.AreEqual(21, s.Bucket(5));
        Assert.AreEqual(10, s.Bucket(-16));
        Assert.AreEqual(26, s.Bucket(16));
        Assert.AreEqual(15, s.Bucket(-128));
        Assert.AreEqual(31, s.Bucket(5000));
    }

    [TestMethod]
    [DataRow(32, 128)]
    [DataRow(8, 10)]
    [DataRow(64, 500)]
    public void BucketsAreMonotoneInDistancePerDirection(int buckets, int maxDistance)
    {
        var s = PE.T5Bias(buckets, maxDistance);
        int half = buckets / 2;
        int prevLeft = s.Bucket(0), prevRight = s.Bucket(0);
        var seen = new HashSet<int> { s.Bucket(0) };
        for (int d = 1; d < 4 * maxDistance; d++)
        {
            int left = s.Bucket(-d), right = s.Bucket(d);
            Assert.IsGreaterThanOrEqualTo(prevLeft, left, $"left distance {d}");
            Assert.IsGreaterThanOrEqualTo(prevRight, right, $"right distance {d}");
            Assert.IsLessThan(half, left);
            Assert.IsGreaterThanOrEqualTo(half, right);
            Assert.IsLessThan(buckets, right);
            prevLeft = left;
            prevRight = right;
            seen.Add(left);
            seen.Add(right);
        }
        Assert.HasCount(buckets - 1, seen, "every bucket but the right side's unused 'distance 0' slot is reached");
    }

    [TestMethod]
    public void BackwardMatchesFiniteDifferences()
    {
        var module = PE.T5Bias(8, 6).CreateModule(new PositionModuleShape(8, 2, 2, 9), 4);
        CheckLogits(module, new PositionBatch(2, 9, [9, 5]), 2, 4);
    }

    [TestMethod]
    public void ModuleInspectionIsTheAddedBias()
    {
        var module = PE.T5Bias(8, 6).CreateModule(new PositionModuleShape(8, 2, 2, 9), 4);
        var logits = new float[2 * 9 * 9];
        module.ForwardLogits(0, new float[2 * 9 * 4], logits, new PositionBatch(1, 9, [9]), 2, 4, 1);
        CollectionAssert.AreEqual(logits, ((IRelativeBiasSource)module).Bias(9, 9));
    }

    [TestMethod]
    public void OptionsAndJson()
    {
        Assert.AreEqual("numBuckets", Assert.ThrowsExactly<ArgumentException>(() => PE.T5Bias(7)).ParamName);
        Assert.AreEqual("numBuckets", Assert.ThrowsExactly<ArgumentException>(() => PE.T5Bias(2)).ParamName);
        Assert.AreEqual("maxDistance", Assert.ThrowsExactly<ArgumentException>(() => PE.T5Bias(32, 8)).ParamName);
        RoundTrips(PE.T5Bias());
        RoundTrips(PE.T5Bias(16, 40, 0.1));
        var back = (T5BiasEncoding)PE.FromJson(PE.T5Bias(16, 40, 0.1, 0.3).ToJson());
        Assert.AreEqual((16, 40, 0.1, 0.3), (back.NumBuckets, back.MaxDistance, back.InitStd, back.LogInitStd));
        Assert.AreEqual("logInitStd", Assert.ThrowsExactly<ArgumentException>(() => PE.T5Bias(logInitStd: 0)).ParamName);
    }

    [TestMethod]
    public void ExactBucketsStartAtInitStd_LogBucketsAtLogInitStd()
    {
        // 32 buckets: 0-7 and 16-23 hold distances 0-7 to the left and 0-7 to the right, one each; the rest are shared.
        var scheme = PE.T5Bias(32, 128, initStd: 1.5, logInitStd: 0.05);
        CollectionAssert.AreEqual(Enumerable.Range(0, 32).Where(b => b % 16 < 8).ToArray(),
            Enumerable.Range(0, 32).Where(scheme.IsExactBucket).ToArray());
        const int heads = 2000;
        var table = scheme.CreateModule(new PositionModuleShape(2 * heads, heads, 1, 16), 7).Parameters.Single().Value;
        foreach (bool exact in new[] { true, false })
        {
            var values = Enumerable.Range(0, 32).Where(b => scheme.IsExactBucket(b) == exact)
                .SelectMany(b => table.Skip(b * heads).Take(heads)).Select(v => (double)v).ToArray();
            double mean = values.Average(), std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
            double expected = exact ? 1.5 : 0.05;
            // 32,000 draws a group: the standard error is 0.4 % of the std for the std, 0.56 % for the mean, so both
            // tolerances are 5 standard errors, while the other group's std is 30 times off.
            Assert.AreEqual(expected, std, 0.02 * expected, $"exact={exact}");
            Assert.AreEqual(0, mean, 0.03 * expected, $"exact={exact}");
        }
    }
}
