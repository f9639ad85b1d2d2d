using MLComponents.Engine;
using MLComponents.Numerics;

namespace MLComponents.UnitTests.Engine;

/// <summary>
/// <see cref="RowMeanPull"/>: each row moves toward the mean row by the rate times its distance (worked out by hand), the
/// mean row itself does not move, and AdamW applies it after its update at the step's learning rate x the factor.
/// </summary>
[TestClass]
public sealed class RowMeanPullTests
{
    [TestMethod]
    public void Apply_MovesEachRowTowardTheMeanRowByTheRate()
    {
        // Rows (1, 2), (3, 6), (5, 10): mean (3, 6). Rate 0.5 halves each row's distance from it.
        float[] table = [1, 2, 3, 6, 5, 10];
        RowMeanPull.Apply(table, width: 2, rate: 0.5);
        CollectionAssert.AreEqual(new float[] { 2, 4, 3, 6, 4, 8 }, table);

        // Rate 1 puts every row on the mean; rate 0 leaves the table alone.
        float[] all = [1, 2, 3, 6, 5, 10];
        RowMeanPull.Apply(all, width: 2, rate: 1);
        CollectionAssert.AreEqual(new float[] { 3, 6, 3, 6, 3, 6 }, all);
        float[] none = [1, 2, 3, 6, 5, 10];
        RowMeanPull.Apply(none, width: 2, rate: 0);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 6, 5, 10 }, none);
    }

    [TestMethod]
    public void AdamW_PullsAfterItsUpdate_AtTheStepsRateTimesTheFactor()
    {
        // With zero gradients and no decay AdamW leaves the values, so what moves them is the pull alone: lr 0.01 x
        // factor 20 = rate 0.2 of each row's distance from the mean row.
        var table = new Parameter("t", [3, 2], applyWeightDecay: false);
        float[] start = [1, 2, 3, 6, 5, 10];
        start.CopyTo(table.Value, 0);
        var adam = new AdamW([table], weightDecay: 0) { MeanPull = new RowMeanPull(table, 20) };
        adam.Update(0.01);
        float[] expected = [1.4f, 2.8f, 3, 6, 4.6f, 9.2f];
        for (int k = 0; k < expected.Length; k++) Assert.AreEqual(expected[k], table.Value[k], 1e-6f, $"entry {k}");
    }

    [TestMethod]
    public void AdamW_WithAStartStep_PullsOnlyFromTheUpdateAfterIt()
    {
        // StartStep 2: updates 1 and 2 leave the values (zero gradients, no decay); update 3 pulls at lr 0.01 x 20 = 0.2,
        // update 4 at 0.02 x 20 = 0.4 of what is left: rows (1, 2) -> (1.4, 2.8) -> (2.04, 4.08) toward the mean (3, 6).
        var table = new Parameter("t", [3, 2], applyWeightDecay: false);
        float[] start = [1, 2, 3, 6, 5, 10];
        start.CopyTo(table.Value, 0);
        var pull = new RowMeanPull(table, 20, StartStep: 2);
        var adam = new AdamW([table], weightDecay: 0) { MeanPull = pull };
        Assert.IsFalse(pull.ActsAt(2));
        Assert.IsTrue(pull.ActsAt(3));
        adam.Update(0.01);
        adam.Update(0.01);
        CollectionAssert.AreEqual(start, table.Value, "no pull before the start step");
        adam.Update(0.01);
        adam.Update(0.02);
        float[] expected = [2.04f, 4.08f, 3, 6, 3.96f, 7.92f];
        for (int k = 0; k < expected.Length; k++) Assert.AreEqual(expected[k], table.Value[k], 1e-5f, $"entry {k}");
    }
}
