using static MLComponents.UnitTests.Core.ArchiveTestKit;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class ArchiveSchemaTests
{
    private static DataViewSchema RichSchema()
    {
        var labelAnn = new DataViewSchema.Annotations.Builder().AddKeyValues(["neg", "neu", "pos"]).ToAnnotations();
        var slotAnn = new DataViewSchema.Annotations.Builder()
            .Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, 2), new VBuffer<ReadOnlyMemory<char>>(["x".AsMemory(), "ÿ".AsMemory()]))
            .Add("IsNormalized", BooleanDataViewType.Instance, true)
            .Add("Scale", NumberDataViewType.Single, float.NaN)
            .Add("Offsets", new VectorDataViewType(NumberDataViewType.Double, 0), new VBuffer<double>([0.1, double.NegativeInfinity]))
            .ToAnnotations();
        return new DataViewSchema.Builder()
            .AddColumn("Text", TextDataViewType.Instance)
            .AddColumn("Flag", BooleanDataViewType.Instance)
            .AddColumn("F", NumberDataViewType.Single)
            .AddColumn("D", NumberDataViewType.Double)
            .AddColumn("I", NumberDataViewType.Int32)
            .AddColumn("U", NumberDataViewType.UInt32)
            .AddColumn("L", NumberDataViewType.Int64)
            .AddColumn("Label", new KeyDataViewType(3), labelAnn)
            .AddColumn("Tokens", new VectorDataViewType(NumberDataViewType.Int32, 256))
            .AddColumn("Varying", new VectorDataViewType(NumberDataViewType.Single, 0), slotAnn)
            .AddColumn("Cube", new VectorDataViewType(NumberDataViewType.Single, 2, 3, 4))
            .AddColumn("Keys", new VectorDataViewType(new KeyDataViewType(5), 4))
            .AddColumn("F", NumberDataViewType.Double) // hides the first "F"
            .ToSchema();
    }

    [TestMethod]
    public void InputSchema_RoundTripsNamesTypesAndAnnotations()
    {
        var ml = NewContext();
        var saved = RichSchema();
        LoadFromBytes(ml, SaveToBytes(ml, new ArchiveBag(), saved), out var loaded);

        Assert.AreEqual(saved.Count, loaded.Count);
        for (int i = 0; i < saved.Count; i++)
        {
            Assert.AreEqual(saved[i].Name, loaded[i].Name);
            Assert.AreEqual(saved[i].Type, loaded[i].Type, $"column {saved[i].Name}");
            Assert.AreEqual(saved[i].IsHidden, loaded[i].IsHidden, $"column {saved[i].Name}");
            CollectionAssert.AreEquivalent(saved[i].Annotations.Names.ToList(), loaded[i].Annotations.Names.ToList(), $"column {saved[i].Name}");
        }
        Assert.IsTrue(loaded[0].Type is TextDataViewType && loaded["Flag"].Type is BooleanDataViewType);
        Assert.AreEqual(typeof(double), loaded["F"].Type.RawType, "the later F hides the earlier one");
        Assert.AreEqual(3UL, ((KeyDataViewType)loaded["Label"].Type).Count);
        var tokens = (VectorDataViewType)loaded["Tokens"].Type;
        Assert.AreEqual(NumberDataViewType.Int32, tokens.ItemType);
        Assert.AreEqual(256, tokens.Size);
        Assert.AreEqual(0, ((VectorDataViewType)loaded["Varying"].Type).Size);
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, ((VectorDataViewType)loaded["Cube"].Type).Dimensions.ToArray());
        Assert.AreEqual(5UL, ((KeyDataViewType)((VectorDataViewType)loaded["Keys"].Type).ItemType).Count);

        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        loaded["Label"].Annotations.GetValue("KeyValues", ref keyValues);
        CollectionAssert.AreEqual(new[] { "neg", "neu", "pos" }, keyValues.DenseValues().Select(m => m.ToString()).ToArray());
        Assert.AreEqual(new VectorDataViewType(TextDataViewType.Instance, 3), loaded["Label"].Annotations.GetTypeOrNull("KeyValues"));

        var ann = loaded["Varying"].Annotations;
        VBuffer<ReadOnlyMemory<char>> slots = default;
        ann.GetValue("SlotNames", ref slots);
        CollectionAssert.AreEqual(new[] { "x", "ÿ" }, slots.DenseValues().Select(m => m.ToString()).ToArray());
        bool normalized = false;
        ann.GetValue("IsNormalized", ref normalized);
        Assert.IsTrue(normalized);
        float scale = 0;
        ann.GetValue("Scale", ref scale);
        Assert.IsTrue(float.IsNaN(scale));
        VBuffer<double> offsets = default;
        ann.GetValue("Offsets", ref offsets);
        CollectionAssert.AreEqual(new[] { 0.1, double.NegativeInfinity }, offsets.ToArray());
    }

    [TestMethod]
    public void FloatAnnotations_RoundTripBitExactly()
    {
        var ml = NewContext();
        float[] values = [0.1f, 1f / 3f, float.Epsilon, float.MaxValue, -0f, 16777217f];
        var ann = new DataViewSchema.Annotations.Builder()
            .Add("V", new VectorDataViewType(NumberDataViewType.Single, values.Length), new VBuffer<float>(values)).ToAnnotations();
        var schema = new DataViewSchema.Builder().AddColumn("X", NumberDataViewType.Single, ann).ToSchema();
        LoadFromBytes(ml, SaveToBytes(ml, new ArchiveBag(), schema), out var loaded);
        VBuffer<float> got = default;
        loaded["X"].Annotations.GetValue("V", ref got);
        CollectionAssert.AreEqual(values.Select(BitConverter.SingleToInt32Bits).ToArray(), got.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray());
    }

    [TestMethod]
    public void AnnotationWhoseValueDoesNotMatchItsType_IsRefusedAtSaveNamingTheColumn()
    {
        var ml = NewContext();
        var ann = new DataViewSchema.Annotations.Builder().Add("Odd", NumberDataViewType.Int32, "not an int").ToAnnotations();
        var schema = new DataViewSchema.Builder().AddColumn("Weird", NumberDataViewType.Single, ann).ToSchema();
        var e = Assert.ThrowsExactly<ArgumentException>(() => SaveToBytes(ml, new ArchiveBag(), schema));
        StringAssert.Contains(e.Message, "column 'Weird' annotation 'Odd'");
    }

    [TestMethod]
    public void BadSchemaInManifest_IsRefusedNamingTheManifestAndColumn()
    {
        var ml = NewContext();
        byte[] good = SaveToBytes(ml, new ArchiveBag(), new DataViewSchema.Builder().AddColumn("Label", new KeyDataViewType(3)).ToSchema());
        var e = LoadExpectingFormatError(ml, EditManifest(good, m => m.Replace("\"count\": 3", "\"count\": 0")));
        Assert.AreEqual("manifest.json", e.Entry);
        StringAssert.Contains(e.Message, "column 'Label'");

        e = LoadExpectingFormatError(ml, EditManifest(good, m => m.Replace("\"kind\": \"key\"", "\"kind\": \"complex\"")));
        Assert.AreEqual("manifest.json", e.Entry);
        StringAssert.Contains(e.Message, "unknown type kind 'complex'");
    }
}
