using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class SchemaTests
{
    [TestMethod]
    public void MissingColumnErrorNamesTheColumnAndListsTheOthers()
    {
        var schema = new DataViewSchema.Builder()
            .AddColumn("Text", TextDataViewType.Instance)
            .AddColumn("Label", NumberDataViewType.Single)
            .ToSchema();
        var e = Assert.ThrowsExactly<SchemaException>(() => schema["Tokens"]);
        Assert.AreEqual("Tokens", e.ColumnName);
        StringAssert.Contains(e.Message, "'Tokens'");
        StringAssert.Contains(e.Message, "'Text' (String)");
    }

    [TestMethod]
    public void LaterColumnHidesEarlierOfSameName()
    {
        var schema = new DataViewSchema.Builder()
            .AddColumn("A", TextDataViewType.Instance)
            .AddColumn("A", NumberDataViewType.Single)
            .ToSchema();
        Assert.IsTrue(schema[0].IsHidden);
        Assert.AreEqual(NumberDataViewType.Single, schema["A"].Type);
    }
}
