namespace MLComponents.UnitTests.Similarity;

/// <summary><c>ml.Regression.EvaluateCorrelation</c>: Pearson and Spearman, which ML.NET's regression metrics lack.</summary>
[TestClass]
public sealed class CorrelationEvaluationTests
{
    public sealed class Scored
    {
        public float Label { get; set; }

        public float Score { get; set; }
    }

    public sealed class ScoredDouble
    {
        public float Label { get; set; }

        public double Prediction { get; set; }
    }

    // Rows kept: y = 1 2 2 3 5, f = 0.5 1 3 3 2 (the NaN-label row is skipped, as ML.NET's regression evaluator skips it).
    private static readonly Scored[] Rows =
    [
        new() { Label = 1, Score = 0.5f }, new() { Label = 2, Score = 1 }, new() { Label = 2, Score = 3 }, new() { Label = 3, Score = 3 },
        new() { Label = float.NaN, Score = 7 }, new() { Label = 5, Score = 2 },
    ];

    // By hand: means 2.6 and 1.9; sum dy df = 14/5, sum dy^2 = 46/5, sum df^2 = 26/5, so Pearson = 14 / sqrt(1196).
    private const double Pearson = 0.40482045237636816;

    // Ties share their mean rank: ranks of y = 1 2.5 2.5 4 5, of f = 1 2 4.5 4.5 3; their Pearson is (21/4) / (19/2) = 21/38.
    private const double Spearman = 21.0 / 38.0;

    [TestMethod]
    public void PearsonAndSpearman_MatchHandComputedValues_WithTies_AndSkipNaNLabels()
    {
        var ml = new MLContext(seed: 1);
        var metrics = ml.Regression.EvaluateCorrelation(ml.Data.LoadFromEnumerable(Rows));
        Assert.AreEqual(5L, metrics.RowCount);
        Assert.AreEqual(Pearson, metrics.PearsonCorrelation, 1e-12);
        Assert.AreEqual(Spearman, metrics.SpearmanCorrelation, 1e-12);

        // The same view through ML.NET's regression evaluator: it skips the same row (RMSE by hand over the 5 kept rows).
        var regression = ml.Regression.Evaluate(ml.Data.LoadFromEnumerable(Rows));
        Assert.AreEqual(Math.Sqrt((0.25 + 1 + 1 + 0 + 9) / 5), regression.RootMeanSquaredError, 1e-6);
    }

    [TestMethod]
    public void DoubleScoreColumnsAndOtherNamesAreRead()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows.Select(r => new ScoredDouble { Label = r.Label, Prediction = r.Score }).ToList();
        var metrics = ml.Regression.EvaluateCorrelation(ml.Data.LoadFromEnumerable(rows), scoreColumnName: "Prediction");
        Assert.AreEqual(Pearson, metrics.PearsonCorrelation, 1e-12);
        Assert.AreEqual(Spearman, metrics.SpearmanCorrelation, 1e-12);
    }

    [TestMethod]
    public void ConstantScoresGiveNaN_NotAnError()
    {
        var ml = new MLContext(seed: 1);
        var flat = ml.Data.LoadFromEnumerable(new[] { new Scored { Label = 1, Score = 2 }, new Scored { Label = 3, Score = 2 } });
        var metrics = ml.Regression.EvaluateCorrelation(flat);
        Assert.IsTrue(double.IsNaN(metrics.PearsonCorrelation));
        Assert.IsTrue(double.IsNaN(metrics.SpearmanCorrelation));
    }

    [TestMethod]
    public void BadInputsNameTheirFault()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        Assert.AreEqual("Truth", Assert.ThrowsExactly<SchemaException>(() => ml.Regression.EvaluateCorrelation(data, labelColumnName: "Truth")).ColumnName);
        var text = ml.Data.LoadFromEnumerable(new[] { new { Label = 1f, Score = "high" } });
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.Regression.EvaluateCorrelation(text));
        Assert.AreEqual("Score", e.ColumnName);
        StringAssert.Contains(e.Message, "Single or Double");
        var infinite = ml.Data.LoadFromEnumerable(new[] { new Scored { Label = 1, Score = 1 }, new Scored { Label = 2, Score = float.PositiveInfinity } });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Regression.EvaluateCorrelation(infinite)).Message, "row 1");
        var unlabelled = ml.Data.LoadFromEnumerable(new[] { new Scored { Label = float.NaN, Score = 1 } });
        Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.EvaluateCorrelation(unlabelled));
    }
}
