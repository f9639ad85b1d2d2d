using System.Text.Json;
using static MLComponents.UnitTests.Core.ArchiveTestKit;

namespace MLComponents.UnitTests.Core;

/// <summary>
/// Pins the on-disk format against an independent reader: Fixtures/archive/sample_model.zip was written by our
/// writer, and make_archive_golden.py (zipfile + struct + json + numpy, no code of ours) parsed it into
/// sample_model.expected.json.
/// </summary>
[TestClass]
public sealed class ArchiveFormatTests
{
    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "archive", name);

    private static DataViewSchema FixtureSchema() => new DataViewSchema.Builder()
        .AddColumn("Text", TextDataViewType.Instance)
        .AddColumn("Label", new KeyDataViewType(2), new DataViewSchema.Annotations.Builder().AddKeyValues(["neg", "pos"]).ToAnnotations())
        .ToSchema();

    [TestMethod]
    public void CurrentWriter_ProducesTheEntriesOfTheCommittedFixture()
    {
        var ml = NewContext();
        byte[] current = SaveToBytes(ml, SampleTree(), FixtureSchema());
        if (Environment.GetEnvironmentVariable("MLC_ARCHIVE_FIXTURE_OUT") is { Length: > 0 } outPath)
        {
            File.WriteAllBytes(outPath, current);
            Assert.Inconclusive($"Fixture written to {outPath}; now run make_archive_golden.py.");
        }
        // Compared after decompression: the deflate stream itself may differ between runtime versions.
        var fixture = ReadEntries(File.ReadAllBytes(FixturePath("sample_model.zip")));
        var produced = ReadEntries(current);
        CollectionAssert.AreEqual(fixture.Select(e => e.Name).ToList(), produced.Select(e => e.Name).ToList());
        for (int i = 0; i < fixture.Count; i++)
            CollectionAssert.AreEqual(fixture[i].Data, produced[i].Data, $"entry {fixture[i].Name}");
    }

    [TestMethod]
    public void IndependentPythonReader_SeesExactlyTheTensorsAndTextsWeSaved()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath("sample_model.expected.json")));
        var root = doc.RootElement;
        var model = SampleTree();

        var manifest = root.GetProperty("manifest");
        Assert.AreEqual("MLComponents.Model", manifest.GetProperty("format").GetString());
        Assert.AreEqual(1, manifest.GetProperty("formatVersion").GetInt32());
        Assert.AreEqual(ArchiveBag.TypeId, manifest.GetProperty("rootTypeId").GetString());
        CollectionAssert.AreEqual(new[] { "Text", "Label" }, manifest.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToArray());

        int tensorsSeen = 0, textsSeen = 0;
        foreach (var file in root.GetProperty("tensors").EnumerateObject())
        {
            var bag = ComponentAt(model, file.Name, "/tensors.safetensors");
            Assert.AreEqual("MLComponents", root.GetProperty("metadata").GetProperty(file.Name).GetProperty("producer").GetString());
            Assert.AreEqual(bag.Floats.Count + bag.Ints.Count, file.Value.EnumerateObject().Count(), file.Name);
            foreach (var t in file.Value.EnumerateObject())
            {
                int[] shape = [.. t.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())];
                long[] values = [.. t.Value.GetProperty("values").EnumerateArray().Select(v => v.GetInt64())];
                string where = $"{file.Name}:{t.Name}";
                if (t.Value.GetProperty("dtype").GetString() == "F32")
                {
                    var (_, data, expectedShape) = bag.Floats.Single(f => f.Name == t.Name);
                    CollectionAssert.AreEqual(expectedShape, shape, where);
                    CollectionAssert.AreEqual(data.Select(f => (long)(uint)BitConverter.SingleToInt32Bits(f)).ToArray(), values, where);
                    var asFloat = t.Value.GetProperty("as_float").EnumerateArray().ToArray();
                    for (int i = 0; i < data.Length; i++)
                        if (float.IsFinite(data[i])) Assert.AreEqual((double)data[i], asFloat[i].GetDouble(), 0.0, where);
                        else Assert.AreEqual(data[i] switch { float.PositiveInfinity => "inf", float.NegativeInfinity => "-inf", _ => "nan" }, asFloat[i].GetString(), where);
                }
                else
                {
                    Assert.AreEqual("I32", t.Value.GetProperty("dtype").GetString(), where);
                    var (_, data, expectedShape) = bag.Ints.Single(f => f.Name == t.Name);
                    CollectionAssert.AreEqual(expectedShape, shape, where);
                    CollectionAssert.AreEqual(data.Select(v => (long)v).ToArray(), values, where);
                }
                tensorsSeen++;
            }
        }
        foreach (var file in root.GetProperty("texts").EnumerateObject())
        {
            int slash = file.Name.LastIndexOf("/texts/", StringComparison.Ordinal);
            var bag = ComponentAt(model, file.Name[..slash], "");
            string textName = file.Name[(slash + "/texts/".Length)..^".txt".Length];
            CollectionAssert.AreEqual(bag.Texts.Single(t => t.Name == textName).Lines, file.Value.EnumerateArray().Select(l => l.GetString()).ToArray(), file.Name);
            textsSeen++;
        }
        Assert.AreEqual(9, tensorsSeen, "every tensor of the sample tree (5 + 2 + 1 + 1)");
        Assert.AreEqual(3, textsSeen, "every text of the sample tree");
    }

    [TestMethod]
    public void CommittedFixture_StillLoads()
    {
        var ml = NewContext();
        var loaded = ml.Model.Load(FixturePath("sample_model.zip"), out var schema);
        AssertBagsEqual(SampleTree(), (ArchiveBag)loaded);
        Assert.AreEqual(2UL, ((KeyDataViewType)schema["Label"].Type).Count);
    }

    /// <summary>The bag at an archive path like "model/components/0-tok" (with an optional suffix to strip).</summary>
    private static ArchiveBag ComponentAt(ArchiveBag root, string entry, string suffix)
    {
        Assert.IsTrue(entry.EndsWith(suffix, StringComparison.Ordinal), entry);
        string[] parts = entry[..^suffix.Length].Split('/');
        Assert.AreEqual("model", parts[0]);
        var bag = root;
        for (int i = 1; i < parts.Length; i += 2)
        {
            Assert.AreEqual("components", parts[i], entry);
            bag = bag.Children.Single(c => c.Name == parts[i + 1]).Child;
        }
        return bag;
    }
}
