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
        Assert.IsEmpty(WordTokenizer.Split(" \t\n ", lowerCase: true));
    }

    [TestMethod]
    public void ReservedIdsComeFirst()
    {
        Assert.AreEqual(0, Vocabulary.PadId);
        Assert.AreEqual(1, Vocabulary.UnknownId);
        Assert.AreEqual(2, Vocabulary.ClsId);
        Assert.AreEqual(3, Vocabulary.SepId);
        Assert.AreEqual(4, Vocabulary.FirstTokenId);
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "<cls>", "<sep>" }, Vocabulary.ReservedTokens.ToArray());
    }

    [TestMethod]
    public void BuildOrdersByCountThenOrdinalAndAppliesMinCountAndMaxSize()
    {
        var counts = new Dictionary<string, long> { ["b"] = 3, ["a"] = 3, ["c"] = 5, ["rare"] = 1, ["d"] = 2 };
        var v = Vocabulary<string>.Build(counts, minCount: 2, maxSize: 3, StringComparer.Ordinal);
        CollectionAssert.AreEqual(new[] { "c", "a", "b" }, v.Tokens.ToArray());
        Assert.AreEqual(7, v.Size, "4 reserved ids + 3 words");
        Assert.AreEqual(4, v.GetId("c"));
        Assert.AreEqual(5, v.GetId("a"));
        Assert.AreEqual(6, v.GetId("b"));
        Assert.AreEqual(Vocabulary.UnknownId, v.GetId("d"), "cut by maxSize");
        Assert.AreEqual(Vocabulary.UnknownId, v.GetId("rare"), "cut by minCount");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Vocabulary<string>.Build(counts, minCount: 0, maxSize: 3, StringComparer.Ordinal));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Vocabulary<string>.Build(counts, minCount: 1, maxSize: 0, StringComparer.Ordinal));
    }

    [TestMethod]
    public void IntegerTokens_TiesGoToTheSmallerId()
    {
        // External tokenizer ids: 900 and 7 both twice, 31 once.
        var counts = new Dictionary<int, long> { [900] = 2, [31] = 1, [7] = 2 };
        var v = Vocabulary<int>.Build(counts, minCount: 1, maxSize: 10, Comparer<int>.Default);
        CollectionAssert.AreEqual(new[] { 7, 900, 31 }, v.Tokens.ToArray());
        Assert.AreEqual(Vocabulary.FirstTokenId + 1, v.GetId(900));
        Assert.AreEqual(Vocabulary.UnknownId, v.GetId(8));
    }

    [TestMethod]
    public void DuplicateStoredTokenIsRejectedNamingIt()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Vocabulary<string>.FromTokens(["x", "y", "x"]));
        StringAssert.Contains(e.Message, "'x'");
        CollectionAssert.AreEqual(new[] { "x", "y" }, Vocabulary<string>.FromTokens(["x", "y"]).Tokens.ToArray());
    }
}
