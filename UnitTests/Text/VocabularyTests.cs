using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Text;

namespace MLComponents.UnitTests.Text;

[TestClass]
public sealed class VocabularyTests
{
    [TestMethod]
    public void SplitsWordsPunctuationAndApostrophes()
    {
        CollectionAssert.AreEqual(new[] { "don't", "stop", "!", "the", "cat", ",", "2", "dogs" },
            WordTokenizer.Split("Don't  stop! The cat, 2 dogs", lowerCase: true));
        CollectionAssert.AreEqual(new[] { "Don't", "'", "Cat" }, WordTokenizer.Split("Don't 'Cat", lowerCase: false));
        Assert.AreEqual(0, WordTokenizer.Split(" \t\n ", lowerCase: true).Count);
    }

    [TestMethod]
    public void BuildOrdersByCountThenOrdinalAndAppliesMinCountAndMaxSize()
    {
        var counts = new Dictionary<string, long> { ["b"] = 3, ["a"] = 3, ["c"] = 5, ["rare"] = 1, ["d"] = 2 };
        var v = Vocabulary.Build(counts, minCount: 2, maxSize: 3);
        CollectionAssert.AreEqual(new[] { "c", "a", "b" }, v.Words.ToArray());
        Assert.AreEqual(6, v.Size);
        Assert.AreEqual(3, v.GetId("c"));
        Assert.AreEqual(5, v.GetId("b"));
        Assert.AreEqual(Vocabulary.UnknownId, v.GetId("d"));
        Assert.AreEqual(Vocabulary.UnknownId, v.GetId("rare"));
        Assert.AreEqual("<pad>", v.GetToken(0));
        Assert.AreEqual("a", v.GetToken(4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => v.GetToken(6));
    }

    [TestMethod]
    public void DuplicateStoredWordIsRejectedNamingIt()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Vocabulary.FromWords(["x", "y", "x"]));
        StringAssert.Contains(e.Message, "'x'");
    }
}
