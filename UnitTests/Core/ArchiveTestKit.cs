using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace MLComponents.UnitTests.Core;

/// <summary>Builders for sample models, zip surgery for malformed archives, and deep comparisons.</summary>
internal static class ArchiveTestKit
{
    public const string RootTensors = "model/tensors.safetensors";

    /// <summary>A context that can load the test components.</summary>
    public static MLContext NewContext()
    {
        var ml = new MLContext(seed: 1);
        ml.ComponentCatalog.RegisterAssembly(typeof(ArchiveBag).Assembly);
        return ml;
    }

    public static DataViewSchema SimpleSchema() =>
        new DataViewSchema.Builder().AddColumn("Text", TextDataViewType.Instance).ToSchema();

    /// <summary>A two-level tree with every kind of payload, including edge cases (empty, scalar, extreme values).</summary>
    public static ArchiveBag SampleTree()
    {
        var grandchild = new ArchiveBag
        {
            UserOptions = new JsonObject { ["depth"] = 2 },
            Floats = { ("pos.table", [0.5f, -0.25f, 1e-30f, 3e38f, -0f, 1.4e-45f], [3, 2]) },
        };
        var child = new ArchiveBag
        {
            UserOptions = new JsonObject { ["name"] = "tokenizer", ["lowercase"] = false },
            Ints = { ("ids", [int.MinValue, -1, 0, 1, int.MaxValue], [5]) },
            Texts = { ("vocab", ["[PAD]", "héllo", "日本語", "emoji 🙂", "", " padded ", "tab\there"]), ("empty", []) },
            Children = { ("inner", grandchild) },
        };
        var sibling = new ArchiveBag { UserOptions = new JsonObject { ["order"] = 3 } };
        return new ArchiveBag
        {
            UserOptions = new JsonObject
            {
                ["layers"] = 2, ["rate"] = 0.125, ["label"] = "α-β", ["flag"] = true,
                ["nested"] = new JsonObject { ["list"] = new JsonArray(1, 2, 3), ["none"] = null },
            },
            Floats =
            {
                ("w", [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f, 17f, 18f, 19f, 20f, 21f, 22f, 23f, 24f], [2, 3, 4]),
                ("bias", [float.NaN, float.PositiveInfinity, float.NegativeInfinity], [3]),
                ("scalar", [42.5f], []),
                ("empty", [], [0]),
                ("empty2d", [], [2, 0]),
            },
            Ints = { ("counts", [3, 1, 4, 1, 5, 9], [2, 3]), ("noInts", [], [0, 7]) },
            Texts = { ("labels", ["neg", "pos"]) },
            Children = { ("0-tok", child), ("1-sib", sibling) },
        };
    }

    public static byte[] SaveToBytes(MLContext ml, ITransformer model, DataViewSchema? schema = null)
    {
        using var ms = new MemoryStream();
        ml.Model.Save(model, schema ?? SimpleSchema(), ms);
        return ms.ToArray();
    }

    public static ITransformer LoadFromBytes(MLContext ml, byte[] archive, out DataViewSchema schema)
    {
        using var ms = new MemoryStream(archive, writable: false);
        return ml.Model.Load(ms, out schema);
    }

    /// <summary>Loads and expects a <see cref="ModelFormatException"/>; no other exception type is acceptable.</summary>
    public static ModelFormatException LoadExpectingFormatError(MLContext ml, byte[] archive)
    {
        try
        {
            LoadFromBytes(ml, archive, out _);
        }
        catch (ModelFormatException e)
        {
            return e;
        }
        catch (Exception e)
        {
            Assert.Fail($"Expected ModelFormatException, got {e.GetType().Name}: {e}");
        }
        Assert.Fail("The archive loaded, but it should have been refused.");
        return null!;
    }

    public static List<(string Name, byte[] Data)> ReadEntries(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        return [.. zip.Entries.Select(e =>
        {
            using var s = e.Open();
            var ms = new MemoryStream();
            s.CopyTo(ms);
            return (e.FullName, ms.ToArray());
        })];
    }

    public static byte[] BuildZip(IEnumerable<(string Name, byte[] Data)> entries, CompressionLevel level = CompressionLevel.Optimal)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(data);
            }
        return ms.ToArray();
    }

    public static byte[] ReplaceEntry(byte[] archive, string name, byte[] data)
    {
        var entries = ReadEntries(archive);
        int i = entries.FindIndex(e => e.Name == name);
        Assert.IsTrue(i >= 0, $"no entry {name}");
        entries[i] = (name, data);
        return BuildZip(entries);
    }

    public static byte[] RemoveEntry(byte[] archive, string name)
    {
        var entries = ReadEntries(archive);
        Assert.AreEqual(1, entries.RemoveAll(e => e.Name == name), $"no entry {name}");
        return BuildZip(entries);
    }

    public static byte[] AddEntry(byte[] archive, string name, byte[] data) => BuildZip([.. ReadEntries(archive), (name, data)]);

    public static byte[] EditManifest(byte[] archive, Func<string, string> edit)
    {
        var manifest = ReadEntries(archive).Single(e => e.Name == "manifest.json").Data;
        return ReplaceEntry(archive, "manifest.json", Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(manifest))));
    }

    /// <summary>Hand-builds safetensors bytes: 8-byte little-endian header length, the header, then data.</summary>
    public static byte[] SafeTensors(string header, byte[] data, ulong? declaredHeaderLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + h.Length + data.Length];
        BitConverter.TryWriteBytes(result.AsSpan(0, 8), declaredHeaderLength ?? (ulong)h.Length);
        h.CopyTo(result, 8);
        data.CopyTo(result, 8 + h.Length);
        return result;
    }

    public static void AssertBagsEqual(ArchiveBag expected, ArchiveBag actual, string path = "model")
    {
        Assert.IsTrue(JsonNode.DeepEquals(expected.UserOptions, actual.UserOptions),
            $"{path}: options {expected.UserOptions.ToJsonString()} != {actual.UserOptions.ToJsonString()}");
        Assert.AreEqual(expected.Floats.Count, actual.Floats.Count, $"{path}: float tensor count");
        foreach (var (name, data, shape) in expected.Floats)
        {
            var got = actual.Floats.Single(f => f.Name == name);
            CollectionAssert.AreEqual(shape, got.Shape, $"{path}/{name} shape");
            // Bitwise, so NaN, -0 and denormals must survive exactly.
            CollectionAssert.AreEqual(data.Select(BitConverter.SingleToInt32Bits).ToArray(),
                got.Data.Select(BitConverter.SingleToInt32Bits).ToArray(), $"{path}/{name} values");
        }
        Assert.AreEqual(expected.Ints.Count, actual.Ints.Count, $"{path}: int tensor count");
        foreach (var (name, data, shape) in expected.Ints)
        {
            var got = actual.Ints.Single(f => f.Name == name);
            CollectionAssert.AreEqual(shape, got.Shape, $"{path}/{name} shape");
            CollectionAssert.AreEqual(data, got.Data, $"{path}/{name} values");
        }
        CollectionAssert.AreEquivalent(expected.Texts.Select(t => t.Name).ToList(), actual.Texts.Select(t => t.Name).ToList(), $"{path}: text names");
        foreach (var (name, lines) in expected.Texts)
            CollectionAssert.AreEqual(lines, actual.Texts.Single(t => t.Name == name).Lines, $"{path}/{name} text");
        // Children keep their saved order.
        CollectionAssert.AreEqual(expected.Children.Select(c => c.Name).ToList(), actual.Children.Select(c => c.Name).ToList(), $"{path}: children");
        for (int i = 0; i < expected.Children.Count; i++)
            AssertBagsEqual(expected.Children[i].Child, actual.Children[i].Child, $"{path}/{expected.Children[i].Name}");
    }

    /// <summary>A fresh empty directory under the temp folder, deleted by the returned handle.</summary>
    public static TempDirectory NewTempDirectory() => new();

    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlc-archive-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string[] Files() => [.. Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)!];

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
