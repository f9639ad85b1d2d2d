using PE = MLComponents.PositionEncoding;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.Numerics;

namespace MLComponents.UnitTests.Engine;

[TestClass]
public sealed class LayerGradientTests
{
    [TestMethod]
    public void EmbeddingBackwardScatterAddsRepeatedTokensAndSkipsPadding()
    {
        var rng = new Random(1);
        int v = 7, d = 5, b = 2, t = 4;
        int[] ids = [3, 1, 3, 0, 6, 3, 2, 2]; // sequence 1 has length 2: positions 2, 3 are padding
        int[] lengths = [4, 2];
        var table = GradientCheck.Random(rng, v * d);
        var output = new float[b * t * d];
        var r = GradientCheck.Random(rng, b * t * d);
        var grad = new float[v * d];
        EmbeddingLayer.Forward(ids, lengths, table, v, output, b, t, d);
        EmbeddingLayer.Backward(ids, lengths, r, grad, b, t, d);
        GradientCheck.Check("table", table, grad, () =>
        {
            EmbeddingLayer.Forward(ids, lengths, table, v, output, b, t, d);
            return GradientCheck.Project(output, r, output.Length);
        });
        // Padding rows are zero and token 2 (only at padded positions) gets no gradient.
        Assert.IsTrue(output.AsSpan(6 * d, 2 * d).ToArray().All(x => x == 0f));
        Assert.IsTrue(grad.AsSpan(2 * d, d).ToArray().All(x => x == 0f));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => EmbeddingLayer.Forward([7, 0, 0, 0], [1], table, v, output, 1, 4, d));
    }

    [TestMethod]
    public void EmbeddingOnSeveralThreadsGivesTheSameBits()
    {
        // 72 columns: four whole blocks of 16 and a tail of 8; ids from 50 rows, so rows receive many additions each. Big
        // enough that both passes do split over threads.
        var rng = new Random(4);
        int v = 50, d = 72, b = 40, t = 24;
        int[] ids = [.. Enumerable.Range(0, b * t).Select(_ => rng.Next(v))];
        int[] lengths = [.. Enumerable.Range(0, b).Select(i => 1 + (i * 7 % t))];
        Assert.IsTrue(Parallelism.Worth(2, b, (long)t * d), "the forward splits");
        Assert.IsTrue(Parallelism.Worth(2, (d + 15) / 16, lengths.Sum() * 16L), "the backward splits");
        var table = GradientCheck.Random(rng, v * d);
        var dOut = GradientCheck.Random(rng, b * t * d);
        (float[] Output, float[] Grad) Run(int threads)
        {
            var output = new float[b * t * d];
            var grad = GradientCheck.Random(new Random(5), v * d); // adds onto what is there
            EmbeddingLayer.Forward(ids, lengths, table, v, output, b, t, d, threads);
            EmbeddingLayer.Backward(ids, lengths, dOut, grad, b, t, d, threads);
            return (output, grad);
        }

        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            CollectionAssert.AreEqual(one.Output, many.Output, $"forward, {threads} threads");
            CollectionAssert.AreEqual(one.Grad, many.Grad, $"backward, {threads} threads");
        }

        // The parallel loop still names a bad id, and where it stands.
        var bad = (int[])ids.Clone();
        bad[(4 * t) + 2] = v; // sequence 4 has 1 + 28 % 24 = 5 tokens
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => EmbeddingLayer.Forward(bad, lengths, table, v, new float[b * t * d], b, t, d, 2));
        StringAssert.Contains(e.Message, "sequence 4, position 2");
    }

    [TestMethod]
    public void LayerNormGradientsMatchFiniteDifferences()
    {
        var rng = new Random(2);
        int rows = 6, d = 8;
        var x = GradientCheck.Random(rng, rows * d, 2f);
        var gamma = GradientCheck.Random(rng, d);
        var beta = GradientCheck.Random(rng, d);
        var y = new float[rows * d];
        var mean = new float[rows];
        var rstd = new float[rows];
        var r = GradientCheck.Random(rng, rows * d);
        var dx = new float[rows * d];
        var dg = new float[d];
        var db = new float[d];
        LayerNormLayer.Forward(x, gamma, beta, y, mean, rstd, rows, d, 1);
        LayerNormLayer.Backward(x, gamma, mean, rstd, r, dx, dg, db, new float[4 * d], rows, d, 2);
        double Loss()
        {
            LayerNormLayer.Forward(x, gamma, beta, y, mean, rstd, rows, d, 1);
            return GradientCheck.Project(y, r, y.Length);
        }
        GradientCheck.Check("x", x, dx, Loss);
        GradientCheck.Check("gamma", gamma, dg, Loss);
        GradientCheck.Check("beta", beta, db, Loss);
        // Independent value: row 0 normalised by hand in double.
        double m = 0, s2 = 0;
        for (int i = 0; i < d; i++) { m += x[i]; }
        m /= d;
        for (int i = 0; i < d; i++) { s2 += (x[i] - m) * (x[i] - m); }
        double expected = (x[3] - m) / Math.Sqrt(s2 / d + 1e-5) * gamma[3] + beta[3];
        Assert.AreEqual(expected, y[3], 1e-5);
    }

    [TestMethod]
    public void LinearGradientsMatchFiniteDifferences()
    {
        var rng = new Random(3);
        int rows = 5, input = 6, output = 4;
        var x = GradientCheck.Random(rng, rows * input);
        var w = GradientCheck.Random(rng, output * input);
        var bias = GradientCheck.Random(rng, output);
        var y = new float[rows * output];
        var r = GradientCheck.Random(rng, rows * output);
        var dx = new float[rows * input];
        var dw = new float[output * input];
        var db = new float[output];
        LinearLayer.Backward(x, w, r, dx, dw, db, rows, input, output, 1);
        double Loss()
        {
            LinearLayer.Forward(x, w, bias, y, rows, input, output, 1);
            return GradientCheck.Project(y, r, y.Length);
        }
        GradientCheck.Check("x", x, dx, Loss);
        GradientCheck.Check("weight", w, dw, Loss);
        GradientCheck.Check("bias", bias, db, Loss);
        Loss();
        double y12 = bias[2];
        for (int k = 0; k < input; k++) { y12 += x[input + k] * w[2 * input + k]; }
        Assert.AreEqual(y12, y[output + 2], 1e-5);
    }

    [TestMethod]
    public void GeluIsTheExactErfFormAndItsGradientMatches()
    {
        // Reference values of x * Phi(x) from the normal CDF (Phi(1) = 0.8413447460685429, Phi(-2) = 0.0227501319481792).
        Assert.AreEqual(0.8413447460685429, 0.5 * (1 + GeluLayer.Erf(1 / Math.Sqrt(2))), 2e-7);
        Assert.AreEqual(0.0227501319481792, 0.5 * (1 + GeluLayer.Erf(-2 / Math.Sqrt(2))), 2e-7);
        var probe = new float[] { 1f, -2f, 0f };
        var outp = new float[3];
        GeluLayer.Forward(probe, outp, 3, 1);
        Assert.AreEqual(0.8413447f, outp[0], 1e-6f);
        Assert.AreEqual(-0.0455002639f, outp[1], 1e-6f);
        Assert.AreEqual(0f, outp[2]);
        // The vectorised layer against the double-precision reference over a sweep (-8..8).
        var sweep = Enumerable.Range(0, 1601).Select(i => (i - 800) / 100f).ToArray();
        var swept = new float[sweep.Length];
        GeluLayer.Forward(sweep, swept, sweep.Length, 1);
        for (int i = 0; i < sweep.Length; i++)
        {
            double v = sweep[i];
            Assert.AreEqual(0.5 * v * (1 + GeluLayer.Erf(v / Math.Sqrt(2))), swept[i], 1e-6 + 1e-6 * Math.Abs(v), $"gelu({v})");
        }
        var rng = new Random(4);
        var x = GradientCheck.Random(rng, 64, 4f);
        var y = new float[64];
        var r = GradientCheck.Random(rng, 64);
        var dx = new float[64];
        GeluLayer.Backward(x, r, dx, 64, 1);
        GradientCheck.Check("x", x, dx, () =>
        {
            GeluLayer.Forward(x, y, 64, 1);
            return GradientCheck.Project(y, r, 64);
        }, eps: 1e-3f);
    }

    [TestMethod]
    public void MeanAndClsPoolingGradientsMatchFiniteDifferences()
    {
        var rng = new Random(5);
        int b = 3, t = 4, d = 3;
        int[] lengths = [4, 1, 2];
        foreach (var pooling in new[] { Pooling.Mean, Pooling.Cls })
        {
            var h = GradientCheck.Random(rng, b * t * d);
            var pooled = new float[b * d];
            var r = GradientCheck.Random(rng, b * d);
            var dh = new float[b * t * d];
            PoolingLayer.Backward(pooling, r, lengths, dh, b, t, d);
            GradientCheck.Check(pooling.ToString(), h, dh, () =>
            {
                PoolingLayer.Forward(pooling, h, lengths, pooled, b, t, d);
                return GradientCheck.Project(pooled, r, pooled.Length);
            });
            float expected = pooling == Pooling.Mean ? (h[2 * t * d + 1] + h[2 * t * d + d + 1]) / 2 : h[2 * t * d + 1];
            Assert.AreEqual(expected, pooled[2 * d + 1], 1e-6f);
        }
    }

    [TestMethod]
    public void CrossEntropyWithWeightsAndSmoothingMatchesTorchFormulaAndGradient()
    {
        int b = 3, c = 4;
        float[] logits = [0.5f, -1f, 2f, 0.1f, 1.5f, 0.2f, -0.3f, 0.7f, -2f, 0.4f, 0.9f, 0f];
        int[] labels = [2, 0, 3];
        float[] weights = [1f, 2f, 0.5f, 3f];
        const float smoothing = 0.1f;
        var probs = new float[b * c];
        var dl = new float[b * c];
        CrossEntropyLoss.Softmax(logits, probs, b, c);
        double loss = CrossEntropyLoss.Forward(logits, probs, labels, b, c, weights, smoothing, dl);
        // Worked independently in double: target distribution q = (1-s) e_y + s/C, weighted per class.
        double num = 0, den = 0;
        for (int i = 0; i < b; i++)
        {
            double lse = Math.Log(Enumerable.Range(0, c).Sum(j => Math.Exp(logits[i * c + j])));
            double nll = lse - logits[i * c + labels[i]];
            double smooth = Enumerable.Range(0, c).Sum(j => weights[j] * (lse - logits[i * c + j]));
            num += (1 - smoothing) * weights[labels[i]] * nll + smoothing / c * smooth;
            den += weights[labels[i]];
        }
        Assert.AreEqual(num / den, loss, 1e-6);
        GradientCheck.Check("logits", logits, dl, () =>
        {
            CrossEntropyLoss.Softmax(logits, probs, b, c);
            return CrossEntropyLoss.Forward(logits, probs, labels, b, c, weights, smoothing, null);
        }, eps: 1e-3f, absTol: 2e-4);
    }

    [TestMethod]
    public void AttentionGradientsMatchFiniteDifferencesWithPaddingAndDropout()
    {
        var rng = new Random(6);
        int b = 2, t = 5, d = 8, h = 2;
        int[] lengths = [5, 3];
        var pb = new PositionBatch(b, t, lengths);
        var module = PE.None().CreateModule(new PositionModuleShape(d, h, 1, t), 0);
        foreach (float dropout in new[] { 0f, 0.3f })
        {
            var act = new AttentionActivations(b, t, d, h, dropout > 0);
            var grads = new AttentionGradients(b, t, d, h);
            var qkv = GradientCheck.Random(rng, b * t * 3 * d, 1.5f);
            var output = new float[b * t * d];
            var r = GradientCheck.Random(rng, b * t * d);
            // Only real query rows feed the loss, as in the model (padding rows are never pooled).
            for (int i = 1 * t + 3; i < 2 * t; i++) { r.AsSpan(i * d, d).Clear(); }
            var dqkv = new float[qkv.Length];
            ulong key = DropoutLayer.Key(9, 1, 0);
            AttentionLayer.Forward(0, qkv, output, act, module, pb, d, h, dropout, key, true, 1);
            AttentionLayer.Backward(0, r, dqkv, act, grads, module, pb, d, h, dropout, key, true, 1);
            double Loss()
            {
                AttentionLayer.Forward(0, qkv, output, act, module, pb, d, h, dropout, key, true, 1);
                return GradientCheck.Project(output, r, output.Length);
            }
            GradientCheck.Check($"qkv(dropout {dropout})", qkv, dqkv, Loss, maxChecks: 1000);
            // Masking: keys/values of padded positions (sequence 1, t >= 3) get exactly zero gradient.
            for (int ti = 3; ti < t; ti++)
            {
                var row = dqkv.AsSpan((t + ti) * 3 * d + d, 2 * d);
                Assert.IsTrue(row.ToArray().All(x => x == 0f), $"padded key/value at t={ti} received gradient");
            }
        }
    }

    [TestMethod]
    public void AttentionMaskMakesRealOutputsIndependentOfPadding()
    {
        var rng = new Random(7);
        int b = 1, t = 4, d = 4, h = 2;
        var pb = new PositionBatch(b, t, [2]);
        var act = new AttentionActivations(b, t, d, h, false);
        var qkv = GradientCheck.Random(rng, t * 3 * d);
        var out1 = new float[t * d];
        var out2 = new float[t * d];
        AttentionLayer.Forward(0, qkv, out1, act, PE.None().CreateModule(new PositionModuleShape(d, h, 1, t), 0), pb, d, h, 0, 0, false, 1);
        for (int i = 2 * 3 * d; i < qkv.Length; i++) { qkv[i] += 5f; }
        AttentionLayer.Forward(0, qkv, out2, act, PE.None().CreateModule(new PositionModuleShape(d, h, 1, t), 0), pb, d, h, 0, 0, false, 1);
        CollectionAssert.AreEqual(out1.AsSpan(0, 2 * d).ToArray(), out2.AsSpan(0, 2 * d).ToArray());
        // And a hand-computed value: query 0, head 0 attends over keys 0..1 only.
        double s0 = 0, s1 = 0;
        for (int j = 0; j < 2; j++) { s0 += qkv[j] * qkv[d + j]; s1 += qkv[j] * qkv[3 * d + d + j]; }
        double scale = 1 / Math.Sqrt(2);
        double p0 = 1 / (1 + Math.Exp((s1 - s0) * scale));
        double o = p0 * qkv[2 * d] + (1 - p0) * qkv[3 * d + 2 * d];
        Assert.AreEqual(o, out1[0], 1e-5);
    }

    [TestMethod]
    public void DropoutDropsAboutPAndIsItsOwnBackward()
    {
        var x = Enumerable.Repeat(1f, 10000).ToArray();
        var y = new float[x.Length];
        ulong key = DropoutLayer.Key(1, 2, 3);
        DropoutLayer.Apply(x, y, 0, x.Length, 0.25f, key);
        int zeros = y.Count(v => v == 0f);
        Assert.IsTrue(zeros is > 2300 and < 2700, $"dropped {zeros} of 10000 at p=0.25");
        Assert.IsTrue(y.Where(v => v != 0f).All(v => Math.Abs(v - 1f / 0.75f) < 1e-6f));
        var y2 = new float[x.Length];
        DropoutLayer.Apply(x, y2, 0, x.Length, 0.25f, key);
        CollectionAssert.AreEqual(y, y2);
        DropoutLayer.Apply(x, y2, 0, x.Length, 0.25f, DropoutLayer.Key(1, 3, 3));
        CollectionAssert.AreNotEqual(y, y2);
    }
}
