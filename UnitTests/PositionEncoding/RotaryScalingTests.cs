using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.UnitTests.Trainer;
using MLComponents.Numerics;
using static MLComponents.UnitTests.PositionEncoding.PositionTestKit;
using PE = MLComponents.PositionEncoding;

namespace MLComponents.UnitTests.PositionEncoding;

/// <summary>YaRN and dynamic (per-sequence) RoPE scaling: the formula, factor-1 exactness, per-sequence factors, gradients, saving.</summary>
[TestClass]
public sealed class RotaryScalingTests
{
    /// <summary>YaRN frequencies from the paper's formula, in plain double arithmetic (pair d of r rotated dimensions).</summary>
    private static double YarnFrequency(double @base, int r, int d, double factor, int originalLength, double alpha, double beta)
    {
        double theta = Math.Pow(@base, -2.0 * d / r);
        double wavelength = 2 * Math.PI / theta;
        double ratio = originalLength / wavelength;
        double gamma = Math.Min(1, Math.Max(0, (ratio - alpha) / (beta - alpha)));
        return ((1 - gamma) * theta / factor) + (gamma * theta);
    }

    private static (float[] Q, float[] K) Rotated(MLComponents.PositionEncoding scheme, float[] q, float[] k, PositionBatch batch, int heads, int dh)
    {
        var module = scheme.CreateModule(new PositionModuleShape(heads * dh, heads, 1, 4), 0);
        var q2 = (float[])q.Clone();
        var k2 = (float[])k.Clone();
        module.ForwardQueryKey(0, q2, k2, batch, heads, dh);
        return (q2, k2);
    }

    [TestMethod]
    public void YarnAnglesFollowThePaper()
    {
        // base 100, r = 16, original length 64, alpha 1, beta 8: pair 0 turns 10.2 times over 64 positions (kept), pairs 5-7
        // turn less than once (divided by the factor), pairs 1-4 are blended.
        const int Dh = 16, Length = 50;
        const double Base = 100, Factor = 4;
        var yarn = PE.Rotary(Base, scaling: RotaryScaling.Yarn(Factor, 64, alpha: 1, beta: 8));
        var angles = yarn.Angles(Length, Dh);
        for (int t = 0; t < Length; t++)
            for (int d = 0; d < Dh / 2; d++)
            {
                double expected = t * YarnFrequency(Base, Dh, d, Factor, 64, 1, 8);
                Assert.AreEqual(expected, angles[(t * 8) + d], 1e-6 * (1 + expected), $"t {t}, pair {d}");
            }
        var plain = PE.Rotary(Base).Angles(Length, Dh);
        var linear = PE.Rotary(Base, scaling: RotaryScaling.Linear(Factor)).Angles(Length, Dh);
        int at = 49 * 8;
        Assert.AreEqual(plain[at], angles[at], "the fastest pair keeps its frequency");
        for (int d = 5; d < 8; d++) Assert.AreEqual(linear[at + d], angles[at + d], 1e-6, $"pair {d} is interpolated as PI");
        for (int d = 1; d < 5; d++)
            Assert.IsTrue(angles[at + d] < plain[at + d] && angles[at + d] > linear[at + d], $"pair {d} lies between");
        Assert.AreEqual((0.1 * Math.Log(4)) + 1, RotaryScaling.Yarn(4, 64).QueryKeyScale(10), 1e-15);
        Assert.AreEqual(1.0, RotaryScaling.Linear(4).QueryKeyScale(10));
    }

    [TestMethod]
    public void YarnScalesQueriesAndKeysBySqrtOfTheTemperature()
    {
        // At position 0 the rotation is the identity, so q and k come out multiplied by 0.1 ln(f) + 1 each: logits by its square.
        const int Dh = 8;
        var rng = new Random(2);
        var q = Randn(rng, 3 * Dh);
        var k = Randn(rng, 3 * Dh);
        var (yq, yk) = Rotated(PE.Rotary(scaling: RotaryScaling.Yarn(8, 16)), q, k, Batch(1, 3, 3), 1, Dh);
        double m = (0.1 * Math.Log(8)) + 1;
        for (int j = 0; j < Dh; j++)
        {
            Assert.AreEqual(q[j] * m, yq[j], 1e-6, "q at position 0");
            Assert.AreEqual(k[j] * m, yk[j], 1e-6, "k at position 0");
        }
        // The fused per-row rotation (interleaved, r a multiple of 8) gives the same bits as the whole-tensor hook.
        var module = (IRowRotation)PE.Rotary(scaling: RotaryScaling.Yarn(8, 16)).CreateModule(new PositionModuleShape(Dh, 1, 1, 3), 0);
        var rows = new float[3 * Dh];
        module.PrepareRows(Batch(1, 3, 3));
        module.RotateRows(q, Dh, rows, Dh, 3, 3, inverse: false);
        CollectionAssert.AreEqual(yq, rows);
    }

    [TestMethod]
    public void FactorOneIsBitIdenticalToNoScaling()
    {
        const int B = 3, H = 2, T = 20, Dh = 16;
        var rng = new Random(4);
        var q = Randn(rng, B * H * T * Dh);
        var k = Randn(rng, B * H * T * Dh);
        var batch = Batch(B, T, 20, 13, 1);
        foreach (var pairing in new[] { RotaryPairing.Interleaved, RotaryPairing.RotateHalf })
        {
            var (pq, pk) = Rotated(PE.Rotary(pairing: pairing), q, k, batch, H, Dh);
            foreach (var scaling in new[]
            {
                RotaryScaling.Yarn(1, 8), RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 20), RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, 20),
                RotaryScaling.Dynamic(RotaryScalingKind.Linear, 32),
            })
            {
                var (sq, sk) = Rotated(PE.Rotary(pairing: pairing, scaling: scaling), q, k, batch, H, Dh);
                CollectionAssert.AreEqual(pq, sq, $"{pairing} {scaling}: q");
                CollectionAssert.AreEqual(pk, sk, $"{pairing} {scaling}: k");
            }
        }
    }

    [TestMethod]
    [DataRow("yarn")]
    [DataRow("ntk")]
    [DataRow("linear")]
    public void DynamicModelLogitsEqualTheUnscaledModelsOnShortSequences(string rule)
    {
        // A whole model (fused attention path, training and inference): on sequences up to the original length a dynamic
        // rule is the plain scheme, logits and gradients bit for bit; a longer sequence changes only its own row.
        var kind = rule switch { "yarn" => RotaryScalingKind.Yarn, "ntk" => RotaryScalingKind.NtkAware, _ => RotaryScalingKind.Linear };
        var config = new TransformerConfig { Vocabulary = 30, ModelDimension = 32, Heads = 2, Layers = 2, FeedForwardDimension = 64, MaxTokens = 24 };
        var plain = new SequenceClassifier(config, 3, PE.Rotary(), seed: 5) { Threads = 1 };
        var dynamic = new SequenceClassifier(config, 3, PE.Rotary(scaling: RotaryScaling.Dynamic(kind, 12)), seed: 5) { Threads = 1 };
        var rng = new Random(6);
        int[] ids = [.. Enumerable.Range(0, 3 * 24).Select(_ => rng.Next(30))];
        int[] labels = [0, 2, 1];

        int[] shortLengths = [12, 7, 1];
        plain.ZeroGrad();
        var plainLogits = plain.Forward(ids, shortLengths, 3, 12, training: true, step: 1).ToArray();
        plain.Loss(labels, null, 0f);
        plain.Backward();
        dynamic.ZeroGrad();
        var dynamicLogits = dynamic.Forward(ids, shortLengths, 3, 12, training: true, step: 1).ToArray();
        dynamic.Loss(labels, null, 0f);
        dynamic.Backward();
        CollectionAssert.AreEqual(plainLogits, dynamicLogits, "training logits");
        for (int p = 0; p < plain.Parameters.Count; p++)
            CollectionAssert.AreEqual(plain.Parameters[p].Grad, dynamic.Parameters[p].Grad, plain.Parameters[p].Name);

        // Sequence 0 of 24 tokens gets factor 2; sequences 1 and 2 keep the plain logits exactly.
        int[] mixed = [24, 12, 5];
        var a = plain.Forward(ids, mixed, 3, 24, training: false).ToArray();
        var b = dynamic.Forward(ids, mixed, 3, 24, training: false).ToArray();
        CollectionAssert.AreEqual(a.AsSpan(3).ToArray(), b.AsSpan(3).ToArray(), "short sequences in a batch with a long one");
        // (An untrained model's logits hardly depend on positions; the module tests above measure the rotation itself.)
        CollectionAssert.AreNotEqual(a.AsSpan(0, 3).ToArray(), b.AsSpan(0, 3).ToArray(), "the long sequence is scaled");
    }

    [TestMethod]
    [DataRow(RotaryScalingKind.Yarn, RotaryPairing.Interleaved)]
    [DataRow(RotaryScalingKind.NtkAware, RotaryPairing.RotateHalf)]
    [DataRow(RotaryScalingKind.Linear, RotaryPairing.Interleaved)]
    public void DynamicGivesEachSequenceItsOwnFactor(RotaryScalingKind rule, RotaryPairing pairing)
    {
        // Lengths 40, 10, 25 with original length 16: factors 2.5, 1 and 1.5625, each equal to the fixed rule at that factor.
        const int B = 3, H = 2, T = 40, Dh = 16;
        int[] lengths = [40, 10, 25];
        var rng = new Random(8);
        var q = Randn(rng, B * H * T * Dh);
        var k = Randn(rng, B * H * T * Dh);
        var dynamic = PE.Rotary(pairing: pairing, scaling: RotaryScaling.Dynamic(rule, 16));
        var (dq, dk) = Rotated(dynamic, q, k, Batch(B, T, lengths), H, Dh);
        int block = H * T * Dh;
        for (int b = 0; b < B; b++)
        {
            double factor = Math.Max(1, lengths[b] / 16.0);
            Assert.AreEqual(factor, dynamic.Scaling.FactorFor(lengths[b]));
            var fixedScaling = factor == 1 ? RotaryScaling.None : rule switch
            {
                RotaryScalingKind.Yarn => RotaryScaling.Yarn(factor, 16),
                RotaryScalingKind.NtkAware => RotaryScaling.NtkAware(factor),
                _ => RotaryScaling.Linear(factor),
            };
            var qb = q.AsSpan(b * block, block).ToArray();
            var kb = k.AsSpan(b * block, block).ToArray();
            var (eq, ek) = Rotated(PE.Rotary(pairing: pairing, scaling: fixedScaling), qb, kb, Batch(1, T, lengths[b]), H, Dh);
            CollectionAssert.AreEqual(eq, dq.AsSpan(b * block, block).ToArray(), $"sequence {b} q (factor {factor})");
            CollectionAssert.AreEqual(ek, dk.AsSpan(b * block, block).ToArray(), $"sequence {b} k (factor {factor})");
            CollectionAssert.AreEqual(PE.Rotary(pairing: pairing, scaling: fixedScaling).Angles(lengths[b], Dh), dynamic.Angles(lengths[b], Dh),
                $"inspection angles of a {lengths[b]}-token sequence");
        }
        if (pairing == RotaryPairing.Interleaved)
        {
            // The engine's fused per-row path picks the same tables by the sequence's real length.
            var rows = (IRowRotation)dynamic.CreateModule(new PositionModuleShape(H * Dh, H, 1, 4), 0);
            rows.PrepareRows(Batch(B, T, lengths));
            for (int b = 0; b < B; b++)
            {
                var out1 = new float[T * Dh];
                rows.RotateRows(q.AsSpan(b * block, T * Dh), Dh, out1, Dh, T, lengths[b], inverse: false);
                CollectionAssert.AreEqual(dq.AsSpan(b * block, T * Dh).ToArray(), out1, $"row path, sequence {b}");
            }
        }
    }

    [TestMethod]
    public void DynamicReadsExplicitPositions()
    {
        // Randomized positions (training): each token takes its position's row of its own sequence's tables.
        const int T = 6, Dh = 8;
        var rng = new Random(10);
        var q = Randn(rng, 2 * T * Dh);
        var k = Randn(rng, 2 * T * Dh);
        int[] positions = [0, 3, 9, 10, 20, 21, 1, 2, 5, 5, 5, 5];
        var batch = new PositionBatch(2, T, [6, 3]) { Positions = positions };
        var dynamic = PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 4));
        var (dq, _) = Rotated(dynamic, q, k, batch, 1, Dh);
        var (fq, _) = Rotated(PE.Rotary(scaling: RotaryScaling.Yarn(1.5, 4)), q, k, batch, 1, Dh);
        var (pq, _) = Rotated(PE.Rotary(), q, k, batch, 1, Dh);
        CollectionAssert.AreEqual(fq.AsSpan(0, T * Dh).ToArray(), dq.AsSpan(0, T * Dh).ToArray(), "6 tokens: factor 1.5");
        CollectionAssert.AreEqual(pq.AsSpan(T * Dh).ToArray(), dq.AsSpan(T * Dh).ToArray(), "3 tokens: unscaled");
    }

    [TestMethod]
    [DataRow("yarn")]
    [DataRow("dynamic-yarn")]
    [DataRow("dynamic-ntk-half")]
    [DataRow("xpos-dynamic-linear")]
    public void BackwardMatchesFiniteDifferences(string which)
    {
        MLComponents.PositionEncoding scheme = which switch
        {
            "yarn" => PE.Rotary(@base: 50, scaling: RotaryScaling.Yarn(3, 6, alpha: 0.5, beta: 2)),
            "dynamic-yarn" => PE.Rotary(@base: 50, scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 3, alpha: 0.5, beta: 2)),
            "dynamic-ntk-half" => PE.Rotary(pairing: RotaryPairing.RotateHalf, rotaryFraction: 0.5, scaling: RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, 5)),
            _ => PE.XPos(scaleBase: 3, scaling: RotaryScaling.Dynamic(RotaryScalingKind.Linear, 5)),
        };
        var module = scheme.CreateModule(new PositionModuleShape(16, 2, 1, 7), 0);
        CheckQueryKey(module, Batch(2, 7, 7, 4), 2, 8);
    }

    [TestMethod]
    public void OptionsAreValidatedByName()
    {
        string Name(Action a) => Assert.ThrowsExactly<ArgumentException>(a).ParamName!;
        Assert.AreEqual("scaling.factor", Name(() => RotaryScaling.Yarn(0.5, 32)));
        Assert.AreEqual("scaling.originalLength", Name(() => RotaryScaling.Yarn(2, 0)));
        Assert.AreEqual("scaling.alpha", Name(() => RotaryScaling.Yarn(2, 32, alpha: -1)));
        Assert.AreEqual("scaling.beta", Name(() => RotaryScaling.Yarn(2, 32, alpha: 4, beta: 4)));
        Assert.AreEqual("scaling.beta", Name(() => RotaryScaling.Yarn(2, 32, beta: double.PositiveInfinity)));
        Assert.AreEqual("scaling.originalLength", Name(() => RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, -3)));
        var type = Assert.ThrowsExactly<ArgumentException>(() => RotaryScaling.Dynamic(RotaryScalingKind.None, 32));
        Assert.AreEqual("scaling.type", type.ParamName);
        StringAssert.Contains(type.Message, "Linear, NtkAware or Yarn");
        Assert.AreEqual("scaling.alpha", Name(() => RotaryScaling.Dynamic(RotaryScalingKind.Linear, 32, alpha: 2)));
        Assert.AreEqual("scaling.beta", Name(() => RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 32, alpha: 2, beta: 1)));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => RotaryScaling.Yarn(2, 32, alpha: -1)).Message, "Option 'scaling.alpha'");
    }

    [TestMethod]
    public void JsonRoundTripsAndOlderJsonStillLoads()
    {
        RoundTrips(PE.Rotary(scaling: RotaryScaling.Yarn(4, 32)));
        RoundTrips(PE.Rotary(500, RotaryPairing.RotateHalf, 0.5, RotaryScaling.Yarn(2.5, 64, alpha: 0.5, beta: 16)));
        RoundTrips(PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, 32)));
        RoundTrips(PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Linear, 32)));
        RoundTrips(PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 48, alpha: 2, beta: 20)));
        RoundTrips(PE.XPos(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 16)));
        var back = (RotaryEncoding)PE.FromJson(PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 48, alpha: 2, beta: 20)).ToJson());
        Assert.AreEqual(RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 48, alpha: 2, beta: 20), back.Scaling);
        Assert.IsTrue(back.Scaling.IsDynamic);
        Assert.AreEqual(RotaryScaling.Yarn(3, 7), ((RotaryEncoding)PE.FromJson(PE.Rotary(scaling: RotaryScaling.Yarn(3, 7)).ToJson())).Scaling);

        // The form models saved before YaRN existed: no originalLength, alpha, beta or dynamic.
        var old = JsonNode.Parse("""{"kind":"rope","base":10000,"pairing":"interleaved","rotaryFraction":1,"scaling":{"type":"ntkaware","factor":2}}""")!.AsObject();
        Assert.AreEqual(RotaryScaling.NtkAware(2), ((RotaryEncoding)PE.FromJson(old)).Scaling);
        Assert.IsFalse(PE.Rotary(scaling: RotaryScaling.Linear(2)).ToJson().ToJsonString().Contains("dynamic", StringComparison.Ordinal),
            "fixed rules keep the saved form they had");
        // A YaRN scaling saved without its original length is refused by name.
        var broken = JsonNode.Parse("""{"kind":"rope","scaling":{"type":"yarn","factor":2}}""")!.AsObject();
        Assert.AreEqual("scaling.originalLength", Assert.ThrowsExactly<ArgumentException>(() => PE.FromJson(broken)).ParamName);
    }

    [TestMethod]
    public void ClassifierWithDynamicYarnReloadsFromTheModelZip()
    {
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Text(64, 61));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Text(16, 62));
        var scheme = PE.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, 6));
        var options = TrainerTestKit.Small(scheme, epochs: 1);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 24))
            .Append(ml.MulticlassClassification.Trainers.Transformer(options)).Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        var loaded = new Microsoft.ML.MLContext(seed: 2).Model.Load(new MemoryStream(stream.ToArray()), out _);
        var before = model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var after = loaded.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        CollectionAssert.AreEqual(before, after, "bit-identical scores after reload");
        var reloaded = ((Microsoft.ML.Data.TransformerChain<Microsoft.ML.ITransformer>)loaded)
            .OfType<Microsoft.ML.Data.MulticlassPredictionTransformer<Trainers.TransformerClassifierModelParameters>>().Single().Model;
        Assert.AreEqual(scheme.Scaling, ((RotaryEncoding)reloaded.PositionEncoding).Scaling);
    }
}
