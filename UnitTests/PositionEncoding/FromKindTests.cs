namespace MLComponents.UnitTests.PositionEncoding;

using PE = MLComponents.PositionEncoding;

[TestClass]
public sealed class FromKindTests
{
    [TestMethod]
    public void EveryKindNameGivesThatSchemeWithFactoryDefaults()
    {
        Assert.AreEqual(10, PE.Kinds.Count);
        foreach (string kind in PE.Kinds)
        {
            var scheme = PE.FromKind(kind);
            Assert.AreEqual(kind, scheme.Kind);
            Assert.AreEqual(PE.FromJson(scheme.ToJson()).ToJson().ToJsonString(), scheme.ToJson().ToJsonString(), kind);
        }
        Assert.AreEqual(PE.Rotary().ToJson().ToJsonString(), PE.FromKind("rope").ToJson().ToJsonString());
    }

    [TestMethod]
    public void UnknownKindListsTheKnownOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => PE.FromKind("rotary"));
        StringAssert.Contains(e.Message, "'rotary'");
        StringAssert.Contains(e.Message, "none|sinusoidal|learned|scaled|shaw|t5|rope|xpos|alibi|fire");
    }
}
