using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class EvaluationTests
{
    public sealed class ScoredRow
    {
        [KeyType(3)] public uint Label { get; set; }
        [VectorType(3)] public float[] Score { get; set; } = [];
    }

    public sealed class RegressionRow
    {
        public float Label { get; set; }
        public float Score { get; set; }
    }

    private static IDataView MulticlassData(MLContext ml)
    {
        uint[] labels = [1, 1, 2, 2, 2, 3, 3, 1];
        float[][] probs =
        [
            [0.7f, 0.2f, 0.1f], [0.4f, 0.5f, 0.1f], [0.1f, 0.8f, 0.1f], [0.3f, 0.3f, 0.4f],
            [0.2f, 0.6f, 0.2f], [0.0f, 0.1f, 0.9f], [0.6f, 0.4f, 0.0f], [0.5f, 0.25f, 0.25f],
        ];
        var def = SchemaDefinition.Create(typeof(ScoredRow));
        def["Label"].Annotations = new DataViewSchema.Annotations.Builder().AddKeyValues(["cat", "dog", "bird"]).ToAnnotations();
        return ml.Data.LoadFromEnumerable(labels.Select((l, i) => new ScoredRow { Label = l, Score = probs[i] }).ToArray(), def);
    }

    [TestMethod]
    public void MulticlassMetricsMatchIndependentValues()
    {
        // Reference values: UnitTests/Fixtures/core/make_metrics.py (numpy), output in metrics.json.
        var ml = new MLContext(1);
        var m = ml.MulticlassClassification.Evaluate(MulticlassData(ml), topKPredictionCount: 2);
        Assert.AreEqual(0.625, m.MicroAccuracy, 1e-12);
        Assert.AreEqual(0.611111111111111, m.MacroAccuracy, 1e-12);
        Assert.AreEqual(4.8185239600741445, m.LogLoss, 1e-9);
        Assert.AreEqual(-3.45254468931463, m.LogLossReduction, 1e-9);
        Assert.AreEqual(0.6553709528338568, m.PerClassLogLoss[0], 1e-9);
        Assert.AreEqual(0.6459806283440391, m.PerClassLogLoss[1], 1e-9);
        Assert.AreEqual(17.322068468529732, m.PerClassLogLoss[2], 1e-9);   // -ln(1e-15) / 2 + -ln(0.9) / 2
        Assert.AreEqual(0.875, m.TopKAccuracy, 1e-12);
        CollectionAssert.AreEqual(new[] { 0.625, 0.875 }, m.TopKAccuracyForAllK.ToArray());

        var cm = m.ConfusionMatrix;
        Assert.AreEqual(3, cm.NumberOfClasses);
        double[][] counts = [[2, 1, 0], [0, 2, 1], [1, 0, 1]];
        for (int i = 0; i < 3; i++) CollectionAssert.AreEqual(counts[i], cm.Counts[i].ToArray());
        Assert.AreEqual(1.0, cm.GetCountForClassPair(predictedClassIndex: 2, actualClassIndex: 1));
        double[] precision = [0.6666666666666666, 0.6666666666666666, 0.5];
        double[] recall = [0.6666666666666666, 0.6666666666666666, 0.5];
        for (int c = 0; c < 3; c++)
        {
            Assert.AreEqual(precision[c], cm.PerClassPrecision[c], 1e-12);
            Assert.AreEqual(recall[c], cm.PerClassRecall[c], 1e-12);
        }
        var table = cm.GetFormattedConfusionTable();
        StringAssert.Contains(table, "bird");
        StringAssert.Contains(table, "Precision");
        StringAssert.Contains(table, "0.5000");
    }

    public sealed class PredictedRow
    {
        [KeyType(3)] public uint Label { get; set; }
        [VectorType(3)] public float[] Score { get; set; } = [];
        [KeyType(3)] public uint PredictedLabel { get; set; }
    }

    [TestMethod]
    public void PredictedLabelColumnIsUsedWhenPresentAndMissingLabelsAreSkipped()
    {
        var ml = new MLContext(1);
        // Row 3 has label 0 (missing) and must not count; row 2's predicted label disagrees with its arg-max.
        var data = ml.Data.LoadFromEnumerable(new PredictedRow[]
        {
            new() { Label = 1, Score = [0.9f, 0.05f, 0.05f], PredictedLabel = 1 },
            new() { Label = 2, Score = [0.1f, 0.8f, 0.1f], PredictedLabel = 3 },
            new() { Label = 0, Score = [0.1f, 0.8f, 0.1f], PredictedLabel = 2 },
        });
        var m = ml.MulticlassClassification.Evaluate(data);
        Assert.AreEqual(0.5, m.MicroAccuracy, 1e-12);
        Assert.AreEqual((-Math.Log(0.9f) - Math.Log(0.8f)) / 2, m.LogLoss, 1e-7);
        Assert.AreEqual(1.0, m.ConfusionMatrix.Counts[1][2]);
        Assert.IsTrue(double.IsNaN(m.PerClassLogLoss[2]));
        Assert.AreEqual(0, m.ConfusionMatrix.PerClassPrecision[1], "class 2 never predicted");
    }

    [TestMethod]
    public void MulticlassEvaluateNamesBadColumns()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new RegressionRow() });
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.MulticlassClassification.Evaluate(data));
        Assert.AreEqual("Label", e.ColumnName);
        StringAssert.Contains(e.Message, "key");
        StringAssert.Contains(e.Message, "Single");
    }

    [TestMethod]
    public void RegressionMetricsMatchIndependentValuesWithTies()
    {
        // Reference values: UnitTests/Fixtures/core/make_metrics.py (numpy; ties get average ranks).
        var ml = new MLContext(1);
        float[] y = [3, 1, 4, 1, 5, 9, 2, 6];
        float[] f = [2.5f, 1.5f, 4, 2, 4, 8, 2, 7.5f];
        var data = ml.Data.LoadFromEnumerable(y.Select((v, i) => new RegressionRow { Label = v, Score = f[i] })
            .Append(new RegressionRow { Label = float.NaN, Score = 100 }).ToArray());
        var m = ml.Regression.Evaluate(data);
        Assert.AreEqual(0.6875, m.MeanAbsoluteError, 1e-12);
        Assert.AreEqual(0.71875, m.MeanSquaredError, 1e-12);
        Assert.AreEqual(0.8477912478906585, m.RootMeanSquaredError, 1e-12);
        Assert.AreEqual(0.71875, m.LossFunction, 1e-12);
        Assert.AreEqual(0.8912529550827423, m.RSquared, 1e-12);
        Assert.AreEqual(0.9447074462667125, m.PearsonCorrelation, 1e-12);
        Assert.AreEqual(0.9757754965005869, m.SpearmanCorrelation, 1e-12);
    }
}
