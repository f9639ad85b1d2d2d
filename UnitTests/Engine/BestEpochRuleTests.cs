using MLComponents.Engine;

namespace MLComponents.UnitTests.Engine;

[TestClass]
public sealed class BestEpochRuleTests
{
    [TestMethod]
    public void KeepsTheLastEpochWithinOneStandardErrorOfTheBest_AndStopsAfterPatienceEpochsBelowIt()
    {
        // 400 rows. Best 0.62 after epoch 2: SE = sqrt(0.62 x 0.38 / 400) = 0.02427, so anything >= 0.59573 is kept.
        var rule = new BestEpochRule(400, patience: 2);
        Assert.AreEqual((true, false), rule.Observe(1, 0.60));
        Assert.AreEqual((true, false), rule.Observe(2, 0.62));
        Assert.AreEqual((true, false), rule.Observe(3, 0.60), "0.60 is within one SE of 0.62: the later epoch is kept");
        Assert.AreEqual(3, rule.KeptEpoch);
        Assert.AreEqual((false, false), rule.Observe(4, 0.595), "0.595 is below 0.62 - 0.02427");
        Assert.AreEqual((false, true), rule.Observe(5, 0.58), "two epochs in a row below: stop");
        Assert.AreEqual(3, rule.KeptEpoch);
    }

    [TestMethod]
    public void ExactAccuracy_MeansArgMaxWithTiesToTheLaterEpoch_AndPatienceZeroNeverStops()
    {
        // At accuracy 1 the standard error is 0: only another 1.0 is kept.
        var rule = new BestEpochRule(100, patience: 0);
        rule.Observe(1, 0.97);
        rule.Observe(2, 1.0);
        Assert.AreEqual((false, false), rule.Observe(3, 0.99));
        Assert.AreEqual((true, false), rule.Observe(4, 1.0));
        for (int e = 5; e < 50; e++) Assert.AreEqual((false, false), rule.Observe(e, 0.5));
        Assert.AreEqual(4, rule.KeptEpoch);
    }
}
