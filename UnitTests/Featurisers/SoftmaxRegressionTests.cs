using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;

namespace MLComponents.UnitTests.Featurisers;

/// <summary>A labelled 2-D point.</summary>
public sealed class PointRow
{
    [VectorType(2)]
    public float[] Features { get; set; } = [];

    public string Label { get; set; } = "";
}

[TestClass]
public sealed class SoftmaxRegressionTests
{
    private static readonly (string Name, float X, float Y)[] Centres = [("east", 3, 0), ("west", -3, 0), ("north", 0, 3)];

    private static IDataView Points(MLContext ml, int perClass, double spread, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<PointRow>();
        for (int i = 0; i < perClass; i++)
            foreach (var (name, x, y) in Centres)
                rows.Add(new PointRow { Label = name, Features = [x + (float)(spread * Gauss(rng)), y + (float)(spread * Gauss(rng))] });
        return ml.Data.LoadFromEnumerable(rows);
    }

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [TestMethod]
    public void LinearlySeparableClasses_AreLearnedExactly_AndPredictedLabelMapsBackToText()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SoftmaxRegression())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
        var model = pipeline.Fit(Points(ml, 40, 0.5, seed: 1));
        var scored = model.Transform(Points(ml, 30, 0.5, seed: 2));
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.AreEqual(1.0, metrics.MicroAccuracy, "well separated clusters");
        Assert.IsTrue(metrics.LogLoss < 0.05, $"log-loss {metrics.LogLoss}");
        var labels = Scalars<uint>(scored, "Label").Count;
        var predicted = Scalars<ReadOnlyMemory<char>>(scored, "PredictedText").Select(m => m.ToString()).ToList();
        Assert.AreEqual(labels, predicted.Count);
        CollectionAssert.AreEqual(Enumerable.Range(0, 30).SelectMany(_ => Centres.Select(c => c.Name)).ToList(), predicted);
        foreach (var p in Vectors<float>(scored, "Score")) Assert.AreEqual(1.0, p.Sum(), 1e-5);
    }

    [TestMethod]
    public void FittedWeights_MinimiseTheIndependentObjective_AndScoresAndLogLossMatchAHandSoftmax()
    {
        const double lambda = 0.01;
        var ml = new MLContext(seed: 1);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Points(ml, 50, 2.0, seed: 3)).Transform(Points(ml, 50, 2.0, seed: 3));
        var trainer = ml.MulticlassClassification.Trainers.SoftmaxRegression(l2Regularization: lambda);
        var model = trainer.Fit(data);
        float[] w = model.GetWeights(), b = model.GetBiases();
        var xs = Vectors<float>(data, "Features");
        var ys = Scalars<uint>(data, "Label").Select(k => (int)k - 1).ToArray();

        // Scores against an independent softmax of the saved weights.
        var scores = Vectors<float>(model.Transform(data), "Score");
        double nll = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            var p = HandSoftmax(w, b, xs[i]);
            for (int c = 0; c < 3; c++) Assert.AreEqual(p[c], scores[i][c], 1e-6, $"row {i} class {c}");
            nll -= Math.Log(p[ys[i]]);
        }
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.AreEqual(nll / xs.Count, metrics.LogLoss, 1e-5, "evaluator log-loss vs hand log-loss");
        Assert.IsTrue(metrics.MicroAccuracy > 0.7 && metrics.MicroAccuracy < 1, $"overlapping clusters: accuracy {metrics.MicroAccuracy}");

        // The optimum: central differences of the independent objective vanish at the returned (float32) weights.
        double[] theta = [.. w.Select(v => (double)v), .. b.Select(v => (double)v)];
        double Objective(double[] t)
        {
            double loss = 0;
            for (int i = 0; i < xs.Count; i++)
            {
                var z = new double[3];
                for (int c = 0; c < 3; c++) z[c] = t[6 + c] + (t[2 * c] * xs[i][0]) + (t[(2 * c) + 1] * xs[i][1]);
                double m = z.Max(), lse = m + Math.Log(z.Sum(v => Math.Exp(v - m)));
                loss += lse - z[ys[i]];
            }
            double penalty = 0;
            for (int j = 0; j < 6; j++) penalty += t[j] * t[j];
            return (loss / xs.Count) + (0.5 * lambda * penalty);
        }
        for (int j = 0; j < theta.Length; j++)
        {
            const double h = 1e-4;
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[j] += h;
            minus[j] -= h;
            double grad = (Objective(plus) - Objective(minus)) / (2 * h);
            Assert.AreEqual(0, grad, 1e-4, $"d objective / d theta[{j}] at the fitted weights");
        }
    }

    private static double[] HandSoftmax(float[] w, float[] b, float[] x)
    {
        var z = new double[3];
        for (int c = 0; c < 3; c++) z[c] = b[c] + ((double)w[2 * c] * x[0]) + ((double)w[(2 * c) + 1] * x[1]);
        double m = z.Max();
        var e = z.Select(v => Math.Exp(v - m)).ToArray();
        double s = e.Sum();
        return [.. e.Select(v => v / s)];
    }

    [TestMethod]
    public void Training_IsDeterministic_AndSaveReloadScoresIdentically()
    {
        var ml = new MLContext(seed: 1);
        var train = Points(ml, 30, 1.5, seed: 4);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.SoftmaxRegression());
        var a = pipeline.Fit(train);
        var b = pipeline.Fit(train);
        CollectionAssert.AreEqual(a.LastTransformer.GetWeights(), b.LastTransformer.GetWeights());
        CollectionAssert.AreEqual(a.LastTransformer.GetBiases(), b.LastTransformer.GetBiases());

        var test = Points(ml, 10, 1.5, seed: 5);
        var loaded = RoundTrip(a, train.Schema);
        AllEqual(Vectors<float>(a.Transform(test), "Score"), Vectors<float>(loaded.Transform(test), "Score"), "scores");
        CollectionAssert.AreEqual(Scalars<uint>(a.Transform(test), "PredictedLabel"), Scalars<uint>(loaded.Transform(test), "PredictedLabel"));
        // The reloaded PredictedLabel keeps the label names, even for data without a label column.
        var unlabelled = ml.Data.LoadFromEnumerable(new[] { new PointRow { Features = [0, 3] } });
        var chain = ((TransformerChain<ITransformer>)loaded).Skip(1).Single();
        var predicted = chain.Append(ml.Transforms.Conversion.MapKeyToValue("Name", "PredictedLabel").Fit(chain.Transform(unlabelled)));
        Assert.AreEqual("north", Scalars<ReadOnlyMemory<char>>(predicted.Transform(unlabelled), "Name")[0].ToString());
    }

    [TestMethod]
    public void BadInput_FailsNamingColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[] { new PointRow { Label = "a", Features = [1, 2] }, new PointRow { Label = "b", Features = [float.NaN, 0] } };
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.MulticlassClassification.Trainers.SoftmaxRegression().Fit(data));
        StringAssert.Contains(e.Message, "'Features', row 1");
        var s = Assert.ThrowsExactly<SchemaException>(() =>
            ml.MulticlassClassification.Trainers.SoftmaxRegression(labelColumnName: "Features").Fit(data));
        StringAssert.Contains(s.Message, "Features");
    }
}
