using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class KeyMappingTests
{
    public sealed class KeyedRow
    {
        public string Label { get; set; } = "";
        public uint LabelKey { get; set; }
        public string LabelBack { get; set; } = "";
    }

    public sealed class FloatRow
    {
        public float V { get; set; }
        [VectorType] public float[] Vs { get; set; } = [];
    }

    public sealed class FloatKeys
    {
        public uint VKey { get; set; }
        public uint[] VsKey { get; set; } = [];
        public float VBack { get; set; }
        public float[] VsBack { get; set; } = [];
    }

    private static LabeledText[] Train() =>
        [new() { Label = "cat" }, new() { Label = "dog" }, new() { Label = "cat" }, new() { Label = "bird" }, new() { Label = "dog" }];

    [TestMethod]
    public void TextKeysByOccurrenceRoundTripAndUnseenIsMissing()
    {
        var ml = new MLContext(1);
        var model = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.Transforms.Conversion.MapKeyToValue("LabelBack", "LabelKey"))
            .Fit(ml.Data.LoadFromEnumerable(Train()));
        var test = ml.Data.LoadFromEnumerable(new LabeledText[] { new() { Label = "dog" }, new() { Label = "fish" }, new() { Label = "bird" }, new() { Label = "cat" } });
        var output = model.Transform(test);

        var keyCol = output.Schema["LabelKey"];
        Assert.AreEqual(new KeyDataViewType(3), keyCol.Type);
        VBuffer<ReadOnlyMemory<char>> kv = default;
        keyCol.Annotations.GetValue(DataViewSchema.Annotations.KeyValuesKind, ref kv);
        CollectionAssert.AreEqual(new[] { "cat", "dog", "bird" }, kv.DenseValues().Select(m => m.ToString()).ToArray());
        Assert.AreEqual(TextDataViewType.Instance, output.Schema["LabelBack"].Type);

        var rows = ml.Data.CreateEnumerable<KeyedRow>(output, false).ToArray();
        CollectionAssert.AreEqual(new uint[] { 2, 0, 3, 1 }, rows.Select(r => r.LabelKey).ToArray());
        CollectionAssert.AreEqual(new[] { "dog", "", "bird", "cat" }, rows.Select(r => r.LabelBack).ToArray());
    }

    [TestMethod]
    public void ByValueOrderingAndMaximumNumberOfKeys()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Train());
        var byValue = ml.Transforms.Conversion.MapValueToKey("K", "Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data);
        CollectionAssert.AreEqual(new[] { "bird", "cat", "dog" }, byValue.GetKeyValuesAsText().ToArray());
        var capped = ml.Transforms.Conversion.MapValueToKey("K", "Label", maximumNumberOfKeys: 2).Fit(data);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, capped.GetKeyValuesAsText().ToArray());
        var keys = ml.Data.CreateEnumerable<KeyOnly>(capped.Transform(data), false).Select(r => r.K).ToArray();
        CollectionAssert.AreEqual(new uint[] { 1, 2, 1, 0, 2 }, keys);
    }

    public sealed class KeyOnly
    {
        public uint K { get; set; }
    }

    [TestMethod]
    public void FloatScalarAndVectorKeysKeepTheValueTypeAndNaNIsMissing()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(new FloatRow[] { new() { V = 2.5f, Vs = [1, 2] }, new() { V = -1, Vs = [2, 3, 1] }, new() { V = float.NaN, Vs = [] } });
        var model = ml.Transforms.Conversion.MapValueToKey("VKey", "V")
            .Append(ml.Transforms.Conversion.MapValueToKey("VsKey", "Vs", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
            .Append(ml.Transforms.Conversion.MapKeyToValue("VBack", "VKey"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("VsBack", "VsKey"))
            .Fit(train);
        var test = ml.Data.LoadFromEnumerable(new FloatRow[] { new() { V = -1, Vs = [3, 7, 1] }, new() { V = float.NaN, Vs = [2] } });
        var output = model.Transform(test);
        Assert.AreEqual(new KeyDataViewType(2), output.Schema["VKey"].Type);
        Assert.AreEqual(new VectorDataViewType(new KeyDataViewType(3)), output.Schema["VsKey"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2), output.Schema["VKey"].Annotations.GetTypeOrNull(DataViewSchema.Annotations.KeyValuesKind));
        Assert.AreEqual(NumberDataViewType.Single, output.Schema["VBack"].Type);

        var rows = ml.Data.CreateEnumerable<FloatKeys>(output, false).ToArray();
        Assert.AreEqual(2u, rows[0].VKey);
        CollectionAssert.AreEqual(new uint[] { 3, 0, 1 }, rows[0].VsKey);
        Assert.AreEqual(-1f, rows[0].VBack);
        Assert.AreEqual(3f, rows[0].VsBack[0]);
        Assert.IsTrue(float.IsNaN(rows[0].VsBack[1]), "unseen 7 -> key 0 -> NaN");
        Assert.AreEqual(0u, rows[1].VKey);
        Assert.IsTrue(float.IsNaN(rows[1].VBack));
    }

    [TestMethod]
    public void BadInputsNameTheColumn()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Train());
        Assert.AreEqual("Nope", Assert.ThrowsExactly<SchemaException>(() => ml.Transforms.Conversion.MapValueToKey("K", "Nope").Fit(data)).ColumnName);
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.Transforms.Conversion.MapKeyToValue("V", "Label").Fit(data));
        Assert.AreEqual("Label", e.ColumnName);
        StringAssert.Contains(e.Message, "key");

        // A transformer fitted on text refuses a float column of the same name.
        var fitted = ml.Transforms.Conversion.MapValueToKey("K", "Label").Fit(data);
        var other = ml.Data.LoadFromEnumerable(new[] { new FloatRow() }, RenameV());
        var mismatch = Assert.ThrowsExactly<SchemaException>(() => fitted.Transform(other));
        StringAssert.Contains(mismatch.Message, "Single");
        StringAssert.Contains(mismatch.Message, "String");
    }

    private static SchemaDefinition RenameV()
    {
        var def = SchemaDefinition.Create(typeof(FloatRow));
        def["V"].ColumnName = "Label";
        return def;
    }

    [TestMethod]
    public void KeyMappingRoundTripsThroughASavedModel()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Train().Append(new LabeledText { Label = "two\nlines \\ odd" }).ToArray());
        var model = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.Transforms.Conversion.MapKeyToValue("LabelBack", "LabelKey"))
            .Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var ml2 = new MLContext(2);
        var loaded = ml2.Model.Load(stream, out var schema);
        Assert.IsInstanceOfType<TransformerChain<ITransformer>>(loaded);
        Assert.AreEqual(TextDataViewType.Instance, schema["Label"].Type);

        var test = ml.Data.LoadFromEnumerable(new LabeledText[] { new() { Label = "bird" }, new() { Label = "two\nlines \\ odd" }, new() { Label = "fish" } });
        var before = ml.Data.CreateEnumerable<KeyedRow>(model.Transform(test), false).ToArray();
        var after = ml.Data.CreateEnumerable<KeyedRow>(loaded.Transform(test), false).ToArray();
        CollectionAssert.AreEqual(new uint[] { 3, 4, 0 }, after.Select(r => r.LabelKey).ToArray());
        CollectionAssert.AreEqual(before.Select(r => r.LabelKey).ToArray(), after.Select(r => r.LabelKey).ToArray());
        CollectionAssert.AreEqual(new[] { "bird", "two\nlines \\ odd", "" }, after.Select(r => r.LabelBack).ToArray());
    }

    [TestMethod]
    public void NumericKeysRoundTripThroughASavedModelExactly()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(new FloatRow[] { new() { V = 0.1f }, new() { V = 1e-30f }, new() { V = -3.4028235e38f } });
        var model = ml.Transforms.Conversion.MapValueToKey("VKey", "V").Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = (ValueToKeyMappingTransformer)ml.Model.Load(stream, out _);
        Assert.AreEqual(NumberDataViewType.Single, loaded.ValueType);
        var keys = ml.Data.CreateEnumerable<FloatKeys>(loaded.Transform(train), false, ignoreMissingColumns: true).Select(r => r.VKey).ToArray();
        CollectionAssert.AreEqual(new uint[] { 1, 2, 3 }, keys);
    }
}
