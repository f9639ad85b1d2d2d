namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// <c>ml.Regression.EvaluateCorrelation</c> against hostile scored data: NaN labels are skipped and counted, an infinite label or a
/// non-finite score names its row, zero rows (or only NaN labels) name the label column, one row or a constant column gives
/// the documented NaN, and negative labels are ordinary numbers.
/// </summary>
[TestClass]
public sealed class CorrelationInputTests
{
    public sealed class Scored
    {
        public float Label { get; set; }

        public float Score { get; set; }
    }

    private static CorrelationMetrics Evaluate(params (float Label, float Score)[] rows)
    {
        var ml = new MLContext();
        return ml.Regression.EvaluateCorrelation(ml.Data.LoadFromEnumerable(rows.Select(r => new Scored { Label = r.Label, Score = r.Score }).ToList()));
    }

    [TestMethod]
    public void NaNLabels_AreSkippedAndCounted()
    {
        var m = Evaluate((float.NaN, 9), (1, 1), (2, 2), (float.NaN, -9), (3, 4));

        Assert.AreEqual(3, m.RowCount);
        Assert.AreEqual(2, m.SkippedRowCount);
        Assert.AreEqual(1.0, m.SpearmanCorrelation, 1e-12);
        Assert.AreEqual(0.9819805060619659, m.PearsonCorrelation, 1e-12, "(1,1), (2,2), (3,4)");
    }

    [TestMethod]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void InfiniteLabel_ThrowsNamingTheColumnAndRow(float label)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Evaluate((1, 1), (2, 2), (label, 3)));

        Assert.AreEqual($"Column 'Label', row 2: label {label} is not finite.", e.Message);
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    public void NonFiniteScore_ThrowsNamingTheColumnAndRow(float score)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Evaluate((1, 1), (2, score)));

        Assert.AreEqual($"Column 'Score', row 1: score {score} is not finite.", e.Message);
    }

    [TestMethod]
    public void ZeroRows_AndOnlyNaNLabels_ThrowNamingTheLabelColumn()
    {
        Assert.AreEqual("No rows with a label in column 'Label' to evaluate (0 rows with a missing (NaN) label were skipped).",
            Assert.ThrowsExactly<InvalidOperationException>(() => Evaluate()).Message);
        Assert.AreEqual("No rows with a label in column 'Label' to evaluate (2 rows with a missing (NaN) label were skipped).",
            Assert.ThrowsExactly<InvalidOperationException>(() => Evaluate((float.NaN, 1), (float.NaN, 2))).Message);
    }

    [TestMethod]
    public void OneRow_OrAConstantColumn_GivesNaN_TheDocumentedUndefinedCorrelation()
    {
        var one = Evaluate((1, 2));
        Assert.AreEqual(1, one.RowCount);
        Assert.IsTrue(double.IsNaN(one.PearsonCorrelation) && double.IsNaN(one.SpearmanCorrelation));
        var constantScore = Evaluate((1, 5), (2, 5), (3, 5));
        Assert.IsTrue(double.IsNaN(constantScore.PearsonCorrelation) && double.IsNaN(constantScore.SpearmanCorrelation));
    }

    [TestMethod]
    public void NegativeAndHugeLabels_AreOrdinaryNumbers()
    {
        Assert.AreEqual(1.0, Evaluate((-3, -30), (-1, -10), (2, 20)).PearsonCorrelation, 1e-12);
        Assert.AreEqual(1.0, Evaluate((-3e38f, -1), (0, 0), (3e38f, 1)).SpearmanCorrelation, 1e-12, "sums in double: no overflow");
    }
}
