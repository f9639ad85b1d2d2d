using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

/// <summary>Forward, loss, every gradient and two AdamW steps against PyTorch (Fixtures/engine/make_golden.py).</summary>
[TestClass]
public sealed class GoldenTests
{
    private static readonly Lazy<JsonObject> Golden = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "engine", "golden.json")))!.AsObject());

    [TestMethod]
    [DataRow("none")]
    [DataRow("rope")]
    public void MatchesPyTorchLogitsLossGradientsAndAdamWSteps(string scheme)
    {
        var cfg = Golden.Value["config"]!.AsObject();
        var c = Golden.Value["cases"]!.AsArray().Select(n => n!.AsObject()).Single(o => (string)o["scheme"]! == scheme);
        int b = Int(cfg, "B"), t = Int(cfg, "T"), classes = Int(cfg, "C");
        var config = new TransformerConfig
        {
            Vocabulary = Int(cfg, "V"), ModelDimension = Int(cfg, "D"), Heads = Int(cfg, "H"), Layers = Int(cfg, "L"),
            FeedForwardDimension = Int(cfg, "F"), MaxTokens = t, Dropout = 0f,
        };
        var model = new SequenceClassifier(config, classes, EngineTestKit.Scheme(scheme), seed: 1);
        var weights = c["weights"]!.AsObject();
        Assert.HasCount(weights.Count, model.Parameters, "parameter sets differ");
        foreach (var p in model.Parameters)
        {
            var w = Floats(weights[p.Name] ?? throw new AssertFailedException($"golden lacks {p.Name}"));
            Assert.HasCount(p.Length, w, p.Name);
            w.CopyTo(p.Value, 0);
        }
        int[] ids = Ints(c["ids"]!), lengths = Ints(c["lengths"]!), labels = Ints(c["labels"]!);
        float[] classWeights = Floats(cfg["class_weights"]!);
        float smoothing = (float)cfg["label_smoothing"]!.GetValue<double>();
        var schedule = new LearningRateSchedule(cfg["peak_lr"]!.GetValue<double>(), Int(cfg, "warmup"), Int(cfg, "total"), LearningRateDecay.Cosine);
        var optimiser = new AdamW(model.Parameters, weightDecay: (float)cfg["weight_decay"]!.GetValue<double>());
        double clip = cfg["clip"]!.GetValue<double>();
        var steps = c["steps"]!.AsArray();
        var drift = model.Parameters.ToDictionary(p => p.Name, p => new double[p.Length]);
        for (int step = 0; step < steps.Count; step++)
        {
            var expected = steps[step]!.AsObject();
            model.ZeroGrad();
            model.Forward(ids, lengths, b, t, training: false);
            double loss = model.Loss(labels, classWeights, smoothing);
            Assert.AreEqual(expected["loss"]!.GetValue<double>(), loss, 1e-4 * Math.Abs(loss), $"loss at step {step}");
            model.Backward();
            if (step == 0)
            {
                AreClose(Floats(c["logits"]!), model.Logits.ToArray(), "logits");
                var grads = c["grads"]!.AsObject();
                foreach (var p in model.Parameters)
                {
                    AreClose(Floats(grads[p.Name]!), p.Grad, "grad " + p.Name);
                }
                var keyBias = model.Parameters.Single(p => p.Name == "layers.0.attention.qkv.bias").Grad.AsSpan(config.ModelDimension, config.ModelDimension);
                Assert.IsLessThan(1e-5f, TensorPrimitives.MaxMagnitude(keyBias), "key-bias gradient should vanish");
            }
            double norm = AdamW.ClipGradientNorm(model.Parameters, clip);
            Assert.AreEqual(expected["grad_norm"]!.GetValue<double>(), norm, 1e-4 * norm, $"gradient norm at step {step}");
            optimiser.Update(schedule.Rate(step));
            var after = expected["weights"]!.AsObject();
            var clipped = expected["grads"]!.AsObject();
            double lr = schedule.Rate(step);
            foreach (var p in model.Parameters)
            {
                AreCloseAfterAdam(Floats(after[p.Name]!), p.Value, Floats(clipped[p.Name]!), lr, drift[p.Name], $"step {step} weight {p.Name}");
            }
        }
    }

    /// <summary>
    /// Weights after an AdamW step. Adam divides by sqrt(v) + 1e-8, so where a gradient is as small as its own
    /// rounding error (a dead unit, or the key bias whose true gradient is 0) the allowed 1e-4 gradient error
    /// becomes an O(lr) weight error: the tolerance adds lr * 2 gtol / (|g| + gtol), which is ~2e-4 lr elsewhere.
    /// </summary>
    /// <remarks><paramref name="drift"/> carries that allowance from step to step, since a weight keeps its earlier error.</remarks>
    private static void AreCloseAfterAdam(float[] expected, float[] actual, float[] grad, double lr, double[] drift, string what)
    {
        float scale = expected.Max(MathF.Abs), gradScale = grad.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            double gtol = 1e-4 * Math.Abs(grad[i]) + 1e-6 * gradScale + 1e-12;
            drift[i] += lr * 2 * gtol / (Math.Abs(grad[i]) + gtol);
            double tol = 1e-4 * Math.Abs(expected[i]) + 1e-6 * scale + 1e-9 + drift[i];
            Assert.IsLessThanOrEqualTo(tol, Math.Abs(expected[i] - actual[i]), $"{what}[{i}]: expected {expected[i]:G7}, got {actual[i]:G7} (gradient {grad[i]:G3})");
        }
    }

    private static void AreClose(float[] expected, float[] actual, string what)
    {
        float scale = expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            // 1e-4 relative, with a floor of 1e-6 of the tensor's largest entry for values that are ~0.
            double tol = 1e-4 * Math.Abs(expected[i]) + 1e-6 * scale + 1e-9;
            Assert.IsLessThanOrEqualTo(tol, Math.Abs(expected[i] - actual[i]), $"{what}[{i}]: expected {expected[i]:G7}, got {actual[i]:G7}");
        }
    }

    private static int Int(JsonObject o, string name) => o[name]!.GetValue<int>();

    private static float[] Floats(JsonNode n) => [.. n.AsArray().Select(v => (float)v!.GetValue<double>())];

    private static int[] Ints(JsonNode n) => [.. n.AsArray().Select(v => (int)v!.GetValue<double>())];
}
