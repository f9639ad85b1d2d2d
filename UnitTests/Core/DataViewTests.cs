using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class DataViewTests
{
    private static RichRow[] Rows() =>
    [
        new() { Text = "a b", Weight = 1.5f, Precise = 0.1, Big = 1L << 40, Flag = true, Category = 2, Features = [1, 2, 3], Ids = [7] },
        new() { Text = "c", Weight = -2f, Precise = 2.5, Big = -3, Flag = false, Category = 0, Features = [4, 5, 6], Ids = [] },
        new() { Text = "", Weight = 0f, Precise = double.NaN, Big = 0, Flag = true, Category = 5, Features = [0, 0, 1], Ids = [1, 2, 3] },
    ];

    [TestMethod]
    public void WrongGetterTypeNamesColumnRequestedAndActualTypes()
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(Rows());
        var col = view.Schema["Weight"];
        using var cursor = view.GetRowCursor([col]);
        var e = Assert.ThrowsExactly<SchemaException>(() => cursor.GetGetter<ReadOnlyMemory<char>>(col));
        Assert.AreEqual("Weight", e.ColumnName);
        StringAssert.Contains(e.Message, "'Weight'");
        StringAssert.Contains(e.Message, "Single");
        StringAssert.Contains(e.Message, "ReadOnlyMemory<Char>");

        var features = view.Schema["Features"];
        using var c2 = view.GetRowCursor([features]);
        var e2 = Assert.ThrowsExactly<SchemaException>(() => c2.GetGetter<VBuffer<int>>(features));
        StringAssert.Contains(e2.Message, "VBuffer<Int32>");
        StringAssert.Contains(e2.Message, "Vector<Single, 3>");
    }

    [TestMethod]
    public void InactiveColumnGetterIsRefused()
    {
        var view = new MLContext(1).Data.LoadFromEnumerable(Rows());
        using var cursor = view.GetRowCursor([view.Schema["Weight"]]);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<long>(view.Schema["Big"]));
        StringAssert.Contains(e.Message, "'Big'");
    }

    [TestMethod]
    public void EnumerableSchemaFollowsMembersAndAttributes()
    {
        var s = new MLContext(1).Data.LoadFromEnumerable(Rows()).Schema;
        CollectionAssert.AreEqual(new[] { "Weight", "Words", "Precise", "Big", "Flag", "Category", "Features", "Ids" }.Order().ToArray(),
            s.Select(c => c.Name).Order().ToArray());
        Assert.AreEqual(TextDataViewType.Instance, s["Words"].Type);
        Assert.AreEqual(NumberDataViewType.Single, s["Weight"].Type);
        Assert.AreEqual(NumberDataViewType.Double, s["Precise"].Type);
        Assert.AreEqual(NumberDataViewType.Int64, s["Big"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, s["Flag"].Type);
        Assert.AreEqual(new KeyDataViewType(5), s["Category"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), s["Features"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int32), s["Ids"].Type);
        Assert.IsNull(s.GetColumnOrNull("Ignored"));
    }

    [TestMethod]
    public void CreateEnumerableRoundTripsEveryColumnType()
    {
        var ml = new MLContext(1);
        var rows = Rows();
        var back = ml.Data.CreateEnumerable<RichRow>(ml.Data.LoadFromEnumerable(rows), reuseRowObject: false).ToArray();
        Assert.HasCount(rows.Length, back);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.AreEqual(rows[i].Text, back[i].Text);
            Assert.AreEqual(rows[i].Weight, back[i].Weight);
            Assert.AreEqual(rows[i].Precise, back[i].Precise);
            Assert.AreEqual(rows[i].Big, back[i].Big);
            Assert.AreEqual(rows[i].Flag, back[i].Flag);
            Assert.AreEqual(rows[i].Category, back[i].Category);
            CollectionAssert.AreEqual(rows[i].Features, back[i].Features);
            CollectionAssert.AreEqual(rows[i].Ids, back[i].Ids);
            Assert.AreNotSame(rows[i].Features, back[i].Features);
            Assert.AreEqual("ignored", back[i].Ignored);
        }
    }

    [TestMethod]
    public void CreateEnumerableReusesTheRowObjectWhenAsked()
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(Rows());
        var seen = ml.Data.CreateEnumerable<RichRow>(view, reuseRowObject: true).Select(r => (r, r.Weight)).ToArray();
        Assert.AreSame(seen[0].r, seen[2].r);
        CollectionAssert.AreEqual(new[] { 1.5f, -2f, 0f }, seen.Select(x => x.Weight).ToArray());
    }

    [TestMethod]
    public void CreateEnumerableReportsMissingAndMistypedColumns()
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { new NumberRow { X = 1, Id = 2 } });
        var missing = Assert.ThrowsExactly<SchemaException>(() => ml.Data.CreateEnumerable<LabeledText>(view, false));
        Assert.AreEqual("Text", missing.ColumnName);
        // Ignoring missing columns leaves the members at their defaults.
        var ignored = ml.Data.CreateEnumerable<LabeledText>(view, false, ignoreMissingColumns: true).Single();
        Assert.AreEqual("", ignored.Text);

        var renamed = ml.Data.LoadFromEnumerable(new[] { new LabeledText { Text = "x", Label = "y" } });
        var def = SchemaDefinition.Create(typeof(NumberRow));
        def["X"].ColumnName = "Text";
        def["Id"].ColumnName = "Label";
        var wrong = Assert.ThrowsExactly<SchemaException>(() => ml.Data.CreateEnumerable<NumberRow>(renamed, false, schemaDefinition: def));
        Assert.AreEqual("Text", wrong.ColumnName);
        StringAssert.Contains(wrong.Message, "String");
        StringAssert.Contains(wrong.Message, "Single");
    }

    [TestMethod]
    public void FixedVectorOfWrongLengthIsADataErrorNamingColumnAndRow()
    {
        var ml = new MLContext(1);
        var rows = Rows();
        rows[1].Features = [1, 2];
        var view = ml.Data.LoadFromEnumerable(rows);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.CreateEnumerable<RichRow>(view, false).ToList());
        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "row 1");
        StringAssert.Contains(e.Message, "2 items");
    }

    [TestMethod]
    public void SchemaDefinitionCanMakeAUintAKey()
    {
        var def = SchemaDefinition.Create(typeof(NumberRow));
        Assert.ThrowsExactly<SchemaException>(() => def["X"].ColumnType = new KeyDataViewType(3));
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { new NumberRow { X = 1, Id = 3 } }, def);
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["X"].Type);
    }

    [TestMethod]
    public void InMemoryViewShufflesAPermutationAndCopiesVectors()
    {
        var schema = new DataViewSchema.Builder()
            .AddColumn("I", NumberDataViewType.Int32)
            .AddColumn("V", new VectorDataViewType(NumberDataViewType.Single, 2))
            .ToSchema();
        var vectors = Enumerable.Range(0, 50).Select(i => new VBuffer<float>([i, -i])).ToArray();
        var view = new InMemoryDataView(schema, [Enumerable.Range(0, 50).ToArray(), vectors]);
        Assert.IsTrue(view.CanShuffle);
        var order = new List<int>();
        using (var cursor = view.GetRowCursor(schema, new Random(3)))
        {
            var gi = cursor.GetGetter<int>(schema["I"]);
            var gv = cursor.GetGetter<VBuffer<float>>(schema["V"]);
            int i = 0;
            VBuffer<float> v = default;
            while (cursor.MoveNext())
            {
                gi(ref i);
                gv(ref v);
                Assert.AreEqual(-i, v.GetValues()[1]);
                v.GetBuffer()![0] = 999;   // scribbling on our buffer must not reach the view
                order.Add(i);
            }
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 50).ToArray(), order);
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 50).ToArray(), order);
        Assert.AreEqual(7f, vectors[7].GetValues()[0]);
    }
}

[TestClass]
public sealed class DataViewExtensionsTests
{
    [TestMethod]
    public void GetColumnReadsIndependentValuesAndChecksTheType()
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { new RichRow { Features = [1, 2, 3], Weight = 4 }, new RichRow { Features = [5, 6, 7], Weight = 8 } });
        var vectors = view.GetColumn<VBuffer<float>>("Features").ToArray();
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f }, vectors[0].ToArray());
        CollectionAssert.AreEqual(new[] { 5f, 6f, 7f }, vectors[1].ToArray());
        CollectionAssert.AreEqual(new[] { 4f, 8f }, view.GetColumn<float>("Weight").ToArray());
        var e = Assert.ThrowsExactly<SchemaException>(() => view.GetColumn<double>("Weight"));
        StringAssert.Contains(e.Message, "Double");
        Assert.AreEqual("Nope", Assert.ThrowsExactly<SchemaException>(() => view.GetColumn<float>("Nope")).ColumnName);
    }
}

[TestClass]
public sealed class ReadOnlyMemberTests
{
    public sealed class WithComputed
    {
        public float X { get; set; }
        public float Twice => 2 * X;
    }

    [TestMethod]
    public void GetOnlyMembersAreReadAsColumnsButNeverFilled()
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { new WithComputed { X = 3 } });
        CollectionAssert.AreEqual(new[] { 6f }, view.GetColumn<float>("Twice").ToArray());
        var back = ml.Data.CreateEnumerable<WithComputed>(view, false).Single();
        Assert.AreEqual(6f, back.Twice);
    }
}
