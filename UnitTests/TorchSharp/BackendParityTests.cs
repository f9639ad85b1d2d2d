using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.TorchSharp;
using TorchSharp;
using ManagedParameter = MLComponents.Numerics.Parameter;

namespace MLComponents.UnitTests.TorchSharp;

/// <summary>
/// From the same initial weights, the TorchSharp model and the managed engine agree, for every scheme variant, on the
/// logits, the loss (class weights and label smoothing on) and every parameter's gradient within 1e-4 relative
/// (max |torch - managed| / max |managed| per tensor), with dropout off and with the engine's dropout masks; and on
/// every weight after two AdamW steps (clipping, warm-up schedule, decay groups).
/// </summary>
/// <remarks>
/// Two things are zero in exact arithmetic and rounding noise in float32, in both backends: gradients along directions
/// the loss cannot see (the key bias, FIRE's output bias and any hidden unit of its MLP that is active for every pair:
/// softmax ignores a shift shared by a whole row of logits). A tensor whose whole managed gradient is below 1e-7 of the
/// model's largest gradient is such noise, and the check is then that torch's is noise too (below the same bound).
/// AdamW divides each gradient by its own root mean square, so it turns noise into steps of up to the learning rate
/// in either direction: after two steps the weights are compared within 1e-4 relative wherever the managed gradient of
/// both steps is above 1e-4 of its tensor's largest (the scale at which gradients are asserted equal), and elsewhere
/// both backends must have moved the weight by no more than AdamW's largest possible step.
/// </remarks>
[TestClass]
[DoNotParallelize] // TorchSharp 0.107 can free an implicit Scalar mid-call when another thread's allocation triggers a GC (Trainers/TorchSharp/README.md)
public sealed class BackendParityTests
{
    private const double Tolerance = 1e-4;

    // Four sequences padded to 12: full, middling, short and long, so every padding path runs.
    private static readonly int[] Lengths = [12, 7, 3, 10];
    private static readonly int[] Labels = [2, 0, 1, 1];
    private static readonly float[] ClassWeights = [1f, 2f, 0.5f];
    private const float Smoothing = 0.1f;
    private const int Batch = 4, Length = 12, Classes = 3;

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Schemes => TorchTestKit.Schemes.Select(s => new object[] { s });

    private static int[] Ids()
    {
        var rng = new Random(5);
        var ids = new int[Batch * Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = rng.Next(0, 24);
        }
        return ids;
    }

    private static SequenceClassifier Managed(string scheme, float dropout, int logLengthScale = 0, int randomizedPositions = 0, bool wholeLogit = false)
    {
        var config = TorchTestKit.SmallConfig(dropout) with
        {
            LogLengthScale = logLengthScale, RandomizedPositions = randomizedPositions, LogLengthScaleBiases = wholeLogit,
        };
        var model = new SequenceClassifier(config, Classes, TorchTestKit.Scheme(scheme), seed: 7);
        TorchTestKit.Randomise(model.Parameters, 11);
        return model;
    }

    [TestMethod]
    [DynamicData(nameof(Schemes))]
    public void LogitsLossAndGradientsMatchTheManagedEngine(string scheme) => CheckParity(scheme, logLengthScale: 0);

    /// <summary>
    /// Log-length scaling with n0 = 4, so the sequences of 12, 7 and 10 tokens get factors ln n / ln 4 (1.79, 1.40, 1.66)
    /// and the one of 3 keeps 1: rope and fire (q.k scaled, FIRE's bias not), shaw (its hook reads the unscaled
    /// 1/sqrt(dh)) and learned ALiBi slopes.
    /// </summary>
    [TestMethod]
    [DataRow("rope")]
    [DataRow("fire")]
    [DataRow("shaw")]
    [DataRow("alibi-bidirectional-learned")]
    public void LogLengthScalingMatchesTheManagedEngine(string scheme) => CheckParity(scheme, logLengthScale: 4);

    /// <summary>
    /// The same factors on the whole logit (<see cref="TransformerConfig.LogLengthScaleBiases"/>): FIRE's, Shaw's and the
    /// learned ALiBi slopes' terms are scaled with q.k, on both backends (torch multiplies after its logit hook).
    /// </summary>
    [TestMethod]
    [DataRow("fire")]
    [DataRow("shaw")]
    [DataRow("alibi-bidirectional-learned")]
    public void LogLengthScalingOfTheWholeLogitMatchesTheManagedEngine(string scheme) => CheckParity(scheme, logLengthScale: 4, wholeLogit: true);

    /// <summary>
    /// Randomized positions from [0, 40) in a training step: the TorchSharp model draws the engine's positions for the seed
    /// and step and feeds them to rope (cos/sin rows of the positions), ALiBi (slope x position distance) and FIRE (position
    /// distance, normalised by the position's distance from the first or last real token). Checked to be non-trivial: the
    /// positions are not 0..n-1 and the logits differ from the same step with dense positions.
    /// </summary>
    [TestMethod]
    [DataRow("rope")]
    [DataRow("rope-dynamic-yarn")]
    [DataRow("fire")]
    [DataRow("fire-fixed-threshold")]
    [DataRow("alibi-bidirectional-learned")]
    [DataRow("alibi-fixed")]
    public void RandomizedPositionsMatchTheManagedEngine(string scheme) => CheckParity(scheme, logLengthScale: 0, randomizedPositions: 40);

    private void CheckParity(string scheme, int logLengthScale, int randomizedPositions = 0, bool wholeLogit = false)
    {
        var report = new List<string>();
        foreach (float dropout in new[] { 0f, 0.2f })
        {
            var managed = Managed(scheme, dropout, logLengthScale, randomizedPositions, wholeLogit);
            using var model = new TorchSequenceClassifier(managed, dropoutMasks: DropoutMasks.Engine);
            int[] ids = Ids();
            bool training = dropout > 0 || randomizedPositions > 0;
            const long Step = 3;

            if (randomizedPositions > 0)
            {
                var dense = Managed(scheme, dropout, logLengthScale, wholeLogit: wholeLogit);
                dense.Forward(ids, Lengths, Batch, Length, training: dropout > 0, Step);
                float[] denseLogits = dense.Logits.ToArray();
                managed.Forward(ids, Lengths, Batch, Length, training, Step);
                var positions = managed.Encoder.Positions.ToArray();
                Assert.HasCount(Batch * Length, positions, "randomized positions were drawn");
                Assert.IsGreaterThan(Length, positions.Max(), $"{scheme}: positions spread over [0, {randomizedPositions})");
                Assert.IsGreaterThan(1e-3, TorchTestKit.RelativeError(managed.Logits.ToArray(), denseLogits), $"{scheme}: the positions change the logits");
            }

            managed.ZeroGrad();
            managed.Forward(ids, Lengths, Batch, Length, training, Step);
            float[] managedLogits = managed.Logits.ToArray();
            double managedLoss = managed.Loss(Labels, ClassWeights, Smoothing);
            managed.Backward();

            float[] torchLogits;
            double torchLoss;
            using (torch.NewDisposeScope())
            {
                var logits = model.Forward(model.Batch(ids, Lengths, Batch, Length), training, Step);
                var loss = model.Loss(logits, Labels, ClassWeights, Smoothing);
                loss.backward();
                torchLogits = logits.detach().data<float>().ToArray();
                torchLoss = loss.item<float>();
            }
            var torchGrads = Managed(scheme, dropout, logLengthScale, randomizedPositions, wholeLogit); // a second managed model only to receive torch's gradients by name
            ParameterTransfer.CopyGradientsToManaged(model, torchGrads.Parameters);

            double logitError = TorchTestKit.RelativeError(torchLogits, managedLogits);
            double lossError = Math.Abs(torchLoss - managedLoss) / Math.Abs(managedLoss);
            Assert.IsLessThan(Tolerance, logitError, $"{scheme} dropout {dropout}: logits");
            Assert.IsLessThan(Tolerance, lossError, $"{scheme} dropout {dropout}: loss {torchLoss} vs {managedLoss}");
            var (worstName, worst, silent) = TorchTestKit.CompareGradients(managed.Parameters, torchGrads.Parameters, $"{scheme} dropout {dropout}");
            report.Add($"dropout {dropout}: logits {logitError:E1}, loss {lossError:E1}, worst gradient {worst:E1} ({worstName})" +
                (silent.Count > 0 ? $", zero-by-symmetry: {string.Join(", ", silent)}" : ""));
        }
        TestContext.WriteLine($"parity {scheme}{(logLengthScale > 0 ? $" log-length {logLengthScale}{(wholeLogit ? " (whole logit)" : "")}" : "")}" +
            $"{(randomizedPositions > 0 ? $" randomized positions {randomizedPositions}" : "")}: {string.Join("; ", report)}");
    }

    [TestMethod]
    [DynamicData(nameof(Schemes))]
    public void WeightsMatchAfterTwoAdamWSteps(string scheme) => CheckAdamWParity(scheme, meanPull: 0);

    /// <summary>
    /// The token table's pull toward its mean row (<see cref="RowMeanPull"/>) at factor 50, so each step moves every row by
    /// 5-15 % of its distance from the mean: a side that skipped it, or pulled toward another mean, would be off by far more
    /// than the tolerance on every row.
    /// </summary>
    [TestMethod]
    [DataRow("rope")]
    [DataRow("fire")]
    public void WeightsMatchAfterTwoAdamWStepsWithTheEmbeddingMeanPull(string scheme) => CheckAdamWParity(scheme, meanPull: 50);

    /// <summary>
    /// The pull from the second update on (StartStep 1): a side that also pulled on the first update, or never, would move
    /// every row of the table by 5-15 % of its distance from the mean more or less than the other.
    /// </summary>
    [TestMethod]
    [DataRow("rope")]
    [DataRow("fire")]
    public void WeightsMatchAfterTwoAdamWStepsWithTheEmbeddingMeanPullFromTheSecond(string scheme) => CheckAdamWParity(scheme, meanPull: 50, pullStart: 1);

    private void CheckAdamWParity(string scheme, double meanPull, long pullStart = 0)
    {
        var managed = Managed(scheme, 0.1f);
        using var model = new TorchSequenceClassifier(managed, dropoutMasks: DropoutMasks.Engine);
        // The token table at 3x the rate: the torch side must put it in a group of its own at lr x 3.
        Func<ManagedParameter, double> scaleOf = p => ReferenceEquals(p, managed.Encoder.TokenEmbedding) ? 3.0 : 1.0;
        var pull = meanPull > 0 ? new RowMeanPull(managed.Encoder.TokenEmbedding, meanPull, pullStart) : null;
        var adam = new AdamW(managed.Parameters, weightDecay: 0.05f, learningRateScale: scaleOf) { MeanPull = pull };
        using var torchAdam = new TorchOptimiser(model, managed.Parameters, weightDecay: 0.05f, scaleOf, pull);
        var table = managed.Encoder.TokenEmbedding.Value;
        int width = managed.Encoder.TokenEmbedding.Shape[^1];
        // How far one pull can move an entry: rate x its distance from the column mean (1.5x for the rows' own moves).
        double pullReach = pull is null ? 0 : 1.5 * Enumerable.Range(0, table.Length).Max(k =>
            Math.Abs(table[k] - Enumerable.Range(0, table.Length / width).Average(r => (double)table[r * width + k % width])));
        var schedule = new LearningRateSchedule(3e-3, WarmupSteps: 1, TotalSteps: 4, LearningRateDecay.Cosine);
        int[] ids = Ids();
        var initial = managed.Parameters.Select(p => (float[])p.Value.Clone()).ToArray();
        var flat = managed.Parameters.Select(p => new bool[p.Length]).ToArray();
        double maxStep = 0;
        for (long step = 0; step < 2; step++)
        {
            managed.ZeroGrad();
            managed.Forward(ids, Lengths, Batch, Length, training: true, step);
            managed.Loss(Labels, ClassWeights, Smoothing);
            managed.Backward();
            MarkFlat(managed.Parameters, flat);
            adam.ClipAndUpdate(0.5, schedule.Rate(step));
            maxStep += schedule.Rate(step);

            using var scope = torch.NewDisposeScope();
            torchAdam.ZeroGrad();
            var logits = model.Forward(model.Batch(ids, Lengths, Batch, Length), training: true, step);
            model.Loss(logits, Labels, ClassWeights, Smoothing).backward();
            torchAdam.Step(0.5, schedule.Rate(step));
        }
        var torchWeights = Managed(scheme, 0.1f);
        model.CopyTo(torchWeights);
        string worstName = "";
        double worst = 0;
        int flatMoved = 0, compared = 0;
        for (int i = 0; i < managed.Parameters.Count; i++)
        {
            var p = managed.Parameters[i];
            var m = p.Value;
            var t = torchWeights.Parameters[i].Value;
            double scale = m.Max(v => Math.Abs((double)v)), diff = 0;
            for (int k = 0; k < m.Length; k++)
            {
                if (flat[i][k])
                {
                    // Noise-driven: both must stay within AdamW's largest step (lr per step, plus the decay's shrink).
                    double bound = maxStep * scaleOf(p) * (1 + 0.05 * Math.Abs(initial[i][k])) + 1e-7 +
                        (ReferenceEquals(p, pull?.Table) ? maxStep * meanPull * pullReach : 0);
                    Assert.IsLessThanOrEqualTo(bound, Math.Abs(m[k] - initial[i][k]), $"{scheme}: managed step of flat {p.Name}[{k}]");
                    Assert.IsLessThanOrEqualTo(bound, Math.Abs(t[k] - initial[i][k]), $"{scheme}: torch step of flat {p.Name}[{k}]");
                    flatMoved += m[k] != t[k] ? 1 : 0;
                    continue;
                }
                compared++;
                diff = Math.Max(diff, Math.Abs((double)t[k] - m[k]));
            }
            double e = diff == 0 ? 0 : diff / scale;
            Assert.IsLessThan(Tolerance, e, $"{scheme}: weights of {p.Name} after two AdamW steps");
            if (e > worst || worstName.Length == 0)
            {
                (worst, worstName) = (e, p.Name);
            }
        }
        TestContext.WriteLine($"adamw {scheme}{(pull is null ? "" : $" mean pull {meanPull}")}: worst weight {worst:E1} ({worstName}) over {compared} weights; {flatMoved} noise-driven weights differ");
    }

    // Elements whose gradient is below 1e-4 of their tensor's largest (exactly-zero gradients included), and whole tensors
    // whose gradient is rounding noise (below 1e-7 of the model's largest).
    private static void MarkFlat(IReadOnlyList<ManagedParameter> parameters, bool[][] flat)
    {
        double noise = 1e-7 * parameters.Max(p => p.Grad.Max(v => Math.Abs((double)v)));
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            double floor = Math.Max(1e-4 * g.Max(v => Math.Abs((double)v)), noise);
            for (int k = 0; k < g.Length; k++)
            {
                flat[i][k] |= Math.Abs(g[k]) <= floor;
            }
        }
    }
}
