using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class ChainTests
{
    [TestMethod]
    public void AppendBuildsChainsThatFitInOrderAndComposeSchemas()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new LabeledText[] { new() { Text = "a", Label = "x" }, new() { Text = "b", Label = "y" } });
        EstimatorChain<KeyToValueMappingTransformer> pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Conversion.MapValueToKey("TextKey", "Text"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel", "Label"));
        Assert.HasCount(3, pipeline.Estimators);

        var shape = pipeline.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.IsTrue(shape.TryFindColumn("TextKey", out var tk) && tk.IsKey);
        Assert.IsTrue(shape.TryFindColumn("Label", out var lk) && lk.IsKey, "Label replaced in place by its key");

        TransformerChain<KeyToValueMappingTransformer> model = pipeline.Fit(data);
        Assert.AreEqual(3, model.Count);
        Assert.AreEqual("PredictedLabel", model.LastTransformer.OutputColumnName);
        Assert.IsTrue(model.IsRowToRowMapper);

        var outSchema = model.GetOutputSchema(data.Schema);
        Assert.AreEqual(new KeyDataViewType(2), outSchema["Label"].Type);
        Assert.IsTrue(outSchema[1].IsHidden, "the original Label is hidden, not removed");
        Assert.AreEqual(TextDataViewType.Instance, outSchema["PredictedLabel"].Type);
        Assert.AreEqual(outSchema.ToString(), model.Transform(data).Schema.ToString());

        var chained = model.Append(ml.Transforms.Conversion.MapKeyToValue("TextBack", "TextKey").Fit(model.Transform(data)));
        Assert.AreEqual(4, chained.Count);
    }

    [TestMethod]
    public void EstimatorChainFailsOnABadSchemaBeforeFitting()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new NumberRow() });
        var e = Assert.ThrowsExactly<SchemaException>(() =>
            ml.Transforms.Conversion.MapValueToKey("K", "Id").Append(ml.Transforms.Conversion.MapKeyToValue("V", "Missing")).Fit(data));
        Assert.AreEqual("Missing", e.ColumnName);
    }

    [TestMethod]
    public void TransformerChainSavesEachStepAsANumberedComponent()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new LabeledText[] { new() { Label = "x" }, new() { Label = "y" } });
        var model = ml.Transforms.Conversion.MapValueToKey("K", "Label").Append(ml.Transforms.Conversion.MapKeyToValue("V", "K")).Fit(data);
        var ctx = new ModelSaveContext(model.ComponentTypeId);
        model.Save(ctx);
        Assert.AreEqual("TransformerChain", ctx.TypeId);
        Assert.AreEqual(2, (int)ctx.Options["count"]!);
        CollectionAssert.AreEqual(new[] { "0", "1" }, ctx.Children.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "MapValueToKey", "MapKeyToValue" }, ctx.Children.Select(c => c.Context.TypeId).ToArray());
        Assert.IsTrue(ml.ComponentCatalog.IsRegistered("TransformerChain"));
        Assert.IsTrue(ml.ComponentCatalog.IsRegistered("MapValueToKey"));
        Assert.IsTrue(ml.ComponentCatalog.IsRegistered("MapKeyToValue"));
    }
}
