using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Numerics;

namespace MLComponents.UnitTests.PositionEncoding;

/// <summary>Shared helpers: random tensors, golden fixtures, and central finite-difference checks of every hook.</summary>
internal static class PositionTestKit
{
    private static readonly Lazy<JsonObject> Golden = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "position", "golden.json")))!.AsObject());

    public static JsonObject Case(string name) => Golden.Value[name]!.AsObject();

    public static float[] Floats(JsonObject c, string name) => [.. c[name]!.AsArray().Select(n => (float)n!.GetValue<double>())];

    public static int[] Ints(JsonObject c, string name) => [.. c[name]!.AsArray().Select(n => n!.GetValue<int>())];

    public static int Int(JsonObject c, string name) => c[name]!.GetValue<int>();

    public static float[] Randn(Random rng, int n, double std = 1)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            a[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }

    public static double Dot(float[] w, float[] x, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double)w[i] * x[i];
        return s;
    }

    public static void AreClose(float[] expected, float[] actual, double tolerance, string what, int count = -1)
    {
        int n = count < 0 ? expected.Length : count;
        Assert.IsGreaterThanOrEqualTo(n, actual.Length, $"{what}: output too short");
        for (int i = 0; i < n; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            if (err > tolerance * (1 + Math.Abs(expected[i])))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (|diff| {err:E2})");
        }
    }

    /// <summary>Sets parameter values by name from the fixture (learned schemes' exported weights).</summary>
    public static void LoadParameters(PositionModule module, JsonObject c)
    {
        var ps = c["params"]!.AsObject();
        foreach (var p in module.Parameters)
        {
            float[] v = Floats(ps, p.Name);
            Assert.HasCount(p.Length, v, $"parameter {p.Name}");
            v.CopyTo(p.Value, 0);
        }
        Assert.HasCount(module.Parameters.Count, ps, "every exported parameter is used");
    }

    /// <summary>
    /// Compares analytic gradients with central differences of <paramref name="loss"/> over every element of
    /// <paramref name="x"/> (or a deterministic sample of <paramref name="maxChecks"/> of them).
    /// </summary>
    public static void FiniteDifference(Func<double> loss, float[] x, float[] analytic, string what,
        int count = -1, float eps = 1e-3f, double tolerance = 3e-3, int maxChecks = 400)
    {
        int n = count < 0 ? x.Length : count;
        int stride = Math.Max(1, n / maxChecks);
        double worst = 0;
        for (int i = 0; i < n; i += stride)
        {
            float orig = x[i];
            x[i] = orig + eps;
            double up = loss();
            x[i] = orig - eps;
            double down = loss();
            x[i] = orig;
            double numeric = (up - down) / (2.0 * eps);
            double err = Math.Abs(numeric - analytic[i]) / (1 + Math.Abs(numeric));
            worst = Math.Max(worst, err);
            if (err > tolerance)
                Assert.Fail($"{what}[{i}]: analytic {analytic[i]:G6} vs numeric {numeric:G6}");
        }
        Assert.IsLessThan(tolerance, worst, what);
    }

    private static Dictionary<Parameter, float[]> Prefill(PositionModule module, Random rng)
    {
        // Non-zero starting gradients prove Backward accumulates rather than overwrites.
        var pre = new Dictionary<Parameter, float[]>();
        foreach (var p in module.Parameters)
        {
            var g = Randn(rng, p.Length);
            g.CopyTo(p.Grad, 0);
            pre[p] = g;
        }
        return pre;
    }

    private static void CheckParameters(PositionModule module, Dictionary<Parameter, float[]> pre, Func<double> loss, string hook)
    {
        foreach (var p in module.Parameters)
        {
            var analytic = new float[p.Length];
            for (int i = 0; i < p.Length; i++) analytic[i] = p.Grad[i] - pre[p][i];
            FiniteDifference(loss, p.Value, analytic, $"{hook} d{p.Name}");
        }
    }

    /// <summary>A batch of <paramref name="b"/> sequences padded to <paramref name="t"/> with the given real lengths.</summary>
    public static PositionBatch Batch(int b, int t, params int[] lengths) => new(b, t, lengths);

    public static void CheckEmbeddings(PositionModule module, PositionBatch batch, int d, int seed = 1)
    {
        var rng = new Random(seed);
        int dt = module.TokenEmbeddingWidth(d);
        int nTok = batch.Batch * batch.Length * dt, nX = batch.Batch * batch.Length * d;
        var tok = Randn(rng, nTok);
        var w = Randn(rng, nX);
        var x = new float[nX + 3];
        double Loss()
        {
            module.ForwardEmbeddings(tok, x, batch, d);
            return Dot(w, x, nX);
        }
        var pre = Prefill(module, rng);
        var dtok = new float[nTok + 3];
        module.BackwardEmbeddings((float[])w.Clone(), dtok, batch, d);
        FiniteDifference(Loss, tok, dtok, "embeddings dtok", nTok);
        CheckParameters(module, pre, Loss, "embeddings");
    }

    public static void CheckQueryKey(PositionModule module, PositionBatch batch, int heads, int dh, int seed = 1)
    {
        var rng = new Random(seed);
        int n = batch.Batch * heads * batch.Length * dh;
        var q0 = Randn(rng, n);
        var k0 = Randn(rng, n);
        var wq = Randn(rng, n);
        var wk = Randn(rng, n);
        var q = new float[n];
        var k = new float[n];
        double Loss()
        {
            q0.CopyTo(q, 0);
            k0.CopyTo(k, 0);
            module.ForwardQueryKey(0, q, k, batch, heads, dh);
            return Dot(wq, q, n) + Dot(wk, k, n);
        }
        var pre = Prefill(module, rng);
        var dq = (float[])wq.Clone();
        var dk = (float[])wk.Clone();
        module.BackwardQueryKey(0, dq, dk, batch, heads, dh);
        FiniteDifference(Loss, q0, dq, "queryKey dq");
        FiniteDifference(Loss, k0, dk, "queryKey dk");
        CheckParameters(module, pre, Loss, "queryKey");
    }

    public static void CheckLogits(PositionModule module, PositionBatch batch, int heads, int dh, int layer = 0, int seed = 1)
    {
        var rng = new Random(seed);
        int nq = batch.Batch * heads * batch.Length * dh;
        int nl = batch.Batch * heads * batch.Length * batch.Length;
        float scale = 1 / MathF.Sqrt(dh);
        var q = Randn(rng, nq);
        var logits0 = Randn(rng, nl);
        var w = Randn(rng, nl);
        var logits = new float[nl];
        double Loss()
        {
            logits0.CopyTo(logits, 0);
            module.ForwardLogits(layer, q, logits, batch, heads, dh, scale);
            return Dot(w, logits, nl);
        }
        var pre = Prefill(module, rng);
        var dqPre = Randn(rng, nq);
        var dq = (float[])dqPre.Clone();
        module.BackwardLogits(layer, q, (float[])w.Clone(), dq, batch, heads, dh, scale);
        for (int i = 0; i < nq; i++) dq[i] -= dqPre[i];
        FiniteDifference(Loss, q, dq, "logits dq");
        CheckParameters(module, pre, Loss, "logits");
    }

    public static void CheckValues(PositionModule module, PositionBatch batch, int heads, int dh, int layer = 0, int seed = 1)
    {
        var rng = new Random(seed);
        int no = batch.Batch * heads * batch.Length * dh;
        int np = batch.Batch * heads * batch.Length * batch.Length;
        var probs = Randn(rng, np);
        var o0 = Randn(rng, no);
        var w = Randn(rng, no);
        var o = new float[no];
        double Loss()
        {
            o0.CopyTo(o, 0);
            module.ForwardValues(layer, probs, o, batch, heads, dh);
            return Dot(w, o, no);
        }
        var pre = Prefill(module, rng);
        var dpPre = Randn(rng, np);
        var dp = (float[])dpPre.Clone();
        module.BackwardValues(layer, probs, (float[])w.Clone(), dp, batch, heads, dh);
        for (int i = 0; i < np; i++) dp[i] -= dpPre[i];
        FiniteDifference(Loss, probs, dp, "values dprobs");
        CheckParameters(module, pre, Loss, "values");
    }

    public static void RoundTrips(MLComponents.PositionEncoding scheme)
    {
        var json = scheme.ToJson();
        var back = MLComponents.PositionEncoding.FromJson(JsonNode.Parse(json.ToJsonString())!.AsObject());
        Assert.AreEqual(scheme.GetType(), back.GetType());
        Assert.AreEqual(scheme.Kind, back.Kind);
        Assert.AreEqual(json.ToJsonString(), back.ToJson().ToJsonString());
    }
}
