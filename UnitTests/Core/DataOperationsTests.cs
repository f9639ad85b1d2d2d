using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class DataOperationsTests
{
    private static IDataView Numbers(MLContext ml, int n) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new NumberRow { X = i, Id = i }).ToArray());

    private static int[] Ids(MLContext ml, IDataView v) => [.. ml.Data.CreateEnumerable<NumberRow>(v, false).Select(r => r.Id)];

    [TestMethod]
    public void TrainTestSplitIsDeterministicDisjointAndCovering()
    {
        var ml = new MLContext(1);
        var data = Numbers(ml, 2000);
        var a = ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 42);
        var b = ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 42);
        var c = ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 43);
        int[] train = Ids(ml, a.TrainSet), test = Ids(ml, a.TestSet);

        CollectionAssert.AreEqual(train, Ids(ml, b.TrainSet));
        CollectionAssert.AreEqual(test, Ids(ml, b.TestSet));
        CollectionAssert.AreEqual(test, Ids(ml, a.TestSet), "a second cursor over the same view gives the same rows");
        Assert.IsEmpty(train.Intersect(test));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 2000).ToArray(), train.Concat(test).ToArray());
        // 500 expected; a binomial sd is ~19, so 420..580 is a > 4 sd band.
        Assert.IsTrue(test.Length is > 420 and < 580, $"{test.Length} test rows");
        CollectionAssert.AreNotEqual(test, Ids(ml, c.TestSet), "another seed gives another split");
        Assert.IsEmpty(Ids(ml, ml.Data.TrainTestSplit(data, 0, seed: 1).TestSet));
        Assert.IsEmpty(Ids(ml, ml.Data.TrainTestSplit(data, 1, seed: 1).TrainSet));
    }

    [TestMethod]
    public void TakeAndSkipPartitionTheRows()
    {
        var ml = new MLContext(1);
        var data = Numbers(ml, 10);
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, Ids(ml, ml.Data.TakeRows(data, 3)));
        CollectionAssert.AreEqual(Enumerable.Range(3, 7).ToArray(), Ids(ml, ml.Data.SkipRows(data, 3)));
        Assert.AreEqual(3L, ml.Data.TakeRows(data, 3).GetRowCount());
        Assert.AreEqual(0L, ml.Data.SkipRows(data, 30).GetRowCount());
        Assert.IsEmpty(Ids(ml, ml.Data.SkipRows(data, 30)));
    }

    [TestMethod]
    public void ShuffleRowsIsASeededPermutationWithinPoolReach()
    {
        var ml = new MLContext(1);
        var data = Numbers(ml, 500);
        var s1 = Ids(ml, ml.Data.ShuffleRows(data, seed: 7, shufflePoolSize: 50));
        var s2 = Ids(ml, ml.Data.ShuffleRows(data, seed: 7, shufflePoolSize: 50));
        CollectionAssert.AreEqual(s1, s2);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 500).ToArray(), s1);
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 500).ToArray(), s1);
        // A pool of 50 over a non-shuffling source cannot emit row i before position i - 49.
        for (int pos = 0; pos < s1.Length; pos++) Assert.IsLessThan(pos + 50, s1[pos]);
        // Same seed, different pool: different order.
        CollectionAssert.AreNotEqual(s1, Ids(ml, ml.Data.ShuffleRows(data, seed: 7, shufflePoolSize: 10)));
    }
}
