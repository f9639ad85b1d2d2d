using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.UnitTests.Engine;

namespace MLComponents.UnitTests.Similarity;

[TestClass]
public sealed class SimilarityGradientTests
{
    private const int B = 5, D = 6;

    private static (float[] U, float[] V, float[] Labels) Inputs(int seed)
    {
        var rng = new Random(seed);
        return (GradientCheck.Random(rng, B * D), GradientCheck.Random(rng, B * D), [0.1f, 4.5f, 2f, 3.2f, 2f]);
    }

    private static double HeadLoss(float[] u, float[] v, float[] labels, SimilarityLoss kind, float[]? du = null, float[]? dv = null)
    {
        var cos = new float[B];
        var nu = new float[B];
        var nv = new float[B];
        var dCos = new float[B];
        CosineSimilarity.Forward(u, v, cos, nu, nv, B, D);
        // A small CoSENT scale keeps the finite differences in the smooth regime of the exponentials.
        double loss = kind == SimilarityLoss.MeanSquaredError
            ? SimilarityLosses.MeanSquaredError(cos, labels, new ScoreRange(0, 5), dCos, B)
            : SimilarityLosses.CoSent(cos, labels, 3f, dCos, B);
        if (du is not null)
        {
            CosineSimilarity.Backward(dCos, u, v, cos, nu, nv, du, dv!, B, D);
        }
        return loss;
    }

    [TestMethod]
    public void CosineMatchesAnIndependentDoubleComputation()
    {
        var (u, v, _) = Inputs(1);
        var cos = new float[B];
        CosineSimilarity.Forward(u, v, cos, new float[B], new float[B], B, D);
        for (int b = 0; b < B; b++)
        {
            double dot = 0, uu = 0, vv = 0;
            for (int j = 0; j < D; j++)
            {
                dot += (double)u[b * D + j] * v[b * D + j];
                uu += (double)u[b * D + j] * u[b * D + j];
                vv += (double)v[b * D + j] * v[b * D + j];
            }
            Assert.AreEqual(dot / Math.Sqrt(uu * vv), cos[b], 1e-6, $"pair {b}");
        }
    }

    [TestMethod]
    public void CoSentMatchesItsDefinitionOnAHandWorkedBatch()
    {
        // labels 1 > 0.5 > 0: terms (0,1), (0,2), (1,2) with z = 2 (cos_j - cos_i).
        float[] cos = [0.9f, 0.2f, 0.5f];
        float[] labels = [1f, 0.5f, 0f];
        double expected = Math.Log(1 + Math.Exp(2 * (0.2 - 0.9)) + Math.Exp(2 * (0.5 - 0.9)) + Math.Exp(2 * (0.5 - 0.2)));
        var d = new float[3];
        Assert.AreEqual(expected, SimilarityLosses.CoSent(cos, labels, 2f, d, 3), 1e-6);
        // Equal labels contribute nothing.
        Assert.AreEqual(0.0, SimilarityLosses.CoSent(cos, [1f, 1f, 1f], 20f, d, 3), 1e-12);
        Assert.AreEqual(0f, d.Sum(MathF.Abs));
    }

    [TestMethod]
    [DataRow(SimilarityLoss.MeanSquaredError)]
    [DataRow(SimilarityLoss.CoSent)]
    public void CosineHeadGradientsMatchFiniteDifferences(SimilarityLoss kind)
    {
        var (u, v, labels) = Inputs(2);
        var du = new float[B * D];
        var dv = new float[B * D];
        HeadLoss(u, v, labels, kind, du, dv);
        GradientCheck.Check($"{kind}:du", u, du, () => HeadLoss(u, v, labels, kind), eps: 1e-3f, absTol: 2e-4, relTol: 1e-2);
        GradientCheck.Check($"{kind}:dv", v, dv, () => HeadLoss(u, v, labels, kind), eps: 1e-3f, absTol: 2e-4, relTol: 1e-2);
    }

    [TestMethod]
    [DataRow("none", SimilarityLoss.MeanSquaredError)]
    [DataRow("rope", SimilarityLoss.MeanSquaredError)]
    [DataRow("rope", SimilarityLoss.CoSent)]
    public void WholeSiameseModelGradientsMatchFiniteDifferences(string scheme, SimilarityLoss kind)
    {
        var config = new TransformerConfig { Vocabulary = 11, ModelDimension = 8, Heads = 2, Layers = 2, FeedForwardDimension = 12, MaxTokens = 6, Dropout = 0.2f };
        var model = new SiameseModel(config, EngineTestKit.Scheme(scheme), seed: 5, new ScoreRange(0, 5));
        Randomise(model, 17);
        // Three pairs stacked: first sentences (rows 0-2) then second sentences (rows 3-5), different lengths.
        int[] ids =
        [
            1, 4, 9, 2, 7, 3,
            5, 5, 10, 0, 0, 0,
            8, 0, 0, 0, 0, 0,
            3, 9, 4, 1, 0, 0,
            6, 2, 0, 0, 0, 0,
            8, 7, 2, 4, 10, 1,
        ];
        int[] lengths = [6, 3, 1, 4, 2, 6];
        float[] labels = [4.5f, 1f, 2.5f];
        double Loss()
        {
            model.ForwardPairs(ids, lengths, 3, 6, training: true, step: 3);
            return model.Loss(labels, kind, 2f);
        }
        model.ZeroGrad();
        Loss();
        model.Backward();
        var grads = model.Parameters.ToDictionary(p => p.Name, p => (float[])p.Grad.Clone());
        foreach (var p in model.Parameters)
        {
            GradientCheck.Check($"{scheme}/{kind}:{p.Name}", p.Value, grads[p.Name], Loss, eps: 1e-2f, absTol: 5e-4, relTol: 3e-2, maxChecks: 30);
        }
    }

    private static void Randomise(SiameseModel model, int seed, float scale = 0.3f)
    {
        var rng = new Random(seed);
        foreach (var p in model.Parameters)
        {
            bool gain = p.Name.EndsWith("norm1.weight", StringComparison.Ordinal) || p.Name.EndsWith("norm2.weight", StringComparison.Ordinal)
                || p.Name == "final_norm.weight";
            for (int i = 0; i < p.Length; i++)
            {
                p.Value[i] = (gain ? 1f : 0f) + (float)((rng.NextDouble() * 2 - 1) * scale);
            }
        }
    }
}
