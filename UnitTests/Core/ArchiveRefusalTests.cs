using System.Buffers.Binary;
using System.Text;
using static MLComponents.UnitTests.Core.ArchiveTestKit;

namespace MLComponents.UnitTests.Core;

/// <summary>Malformed and hostile archives: each is refused with a <see cref="ModelFormatException"/> naming the entry at fault.</summary>
[TestClass]
public sealed class ArchiveRefusalTests
{
    private static byte[] ValidArchive(MLContext ml) => SaveToBytes(ml, SampleTree());

    [TestMethod]
    [DataRow("../evil", "'..' path segment")]
    [DataRow("model/../../evil", "'..' path segment")]
    [DataRow("/abs", "absolute path")]
    [DataRow("a\\b", "backslash")]
    [DataRow("C:/windows/evil", "drive letter")]
    [DataRow("model/./x", "'.' path segment")]
    [DataRow("model//x", "empty path segment")]
    [DataRow("bad\u0001name", "control character")]
    public void UnsafeEntryName_IsRefusedNamingIt(string name, string problem)
    {
        var ml = NewContext();
        var e = LoadExpectingFormatError(ml, AddEntry(ValidArchive(ml), name, [1, 2, 3]));
        Assert.AreEqual(name, e.Entry);
        StringAssert.Contains(e.Message, problem);
    }

    [TestMethod]
    public void DirectoryEntries_AsOtherZipToolsWriteThem_AreAccepted()
    {
        var ml = NewContext();
        byte[] archive = AddEntry(AddEntry(ValidArchive(ml), "model/", []), "model/components/", []);
        AssertBagsEqual(SampleTree(), (ArchiveBag)LoadFromBytes(ml, archive, out _));

        var e = LoadExpectingFormatError(ml, AddEntry(ValidArchive(ml), "model/", [1]));
        Assert.AreEqual("model/", e.Entry);
        StringAssert.Contains(e.Message, "directory entry must not hold data");
    }

    [TestMethod]
    public void DuplicateEntryName_IsRefused()
    {
        var ml = NewContext();
        var e = LoadExpectingFormatError(ml, AddEntry(ValidArchive(ml), RootTensors, [0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.AreEqual(RootTensors, e.Entry);
        StringAssert.Contains(e.Message, "two entries of this name");
    }

    [TestMethod]
    public void EntryDeclaringMoreThanThePerEntryLimit_IsRefused()
    {
        var ml = NewContext();
        var big = new ArchiveBag { Floats = { ("big", new float[1000], [1000]) } };
        byte[] archive = SaveToBytes(ml, big);
        ml.Model.ArchiveLimits = new ModelArchiveLimits { MaxEntryBytes = 3000 };
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual(RootTensors, e.Entry);
        StringAssert.Contains(e.Message, "declares");
        StringAssert.Contains(e.Message, "per-entry limit of 3000");
    }

    [TestMethod]
    public void EntryLyingAboutItsSize_IsRefusedNamingIt()
    {
        var ml = NewContext();
        // 40,000 bytes of zeros compress to almost nothing; the zip then claims they are 16 bytes.
        var bomb = new ArchiveBag { Floats = { ("big", new float[10_000], [10_000]) } };
        byte[] archive = PatchDeclaredSize(Deflated(SaveToBytes(ml, bomb), RootTensors), RootTensors, 16);
        ml.Model.ArchiveLimits = new ModelArchiveLimits { MaxEntryBytes = 4096 };
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual(RootTensors, e.Entry);
        // .NET's zip reader stops at the declared size (so the safetensors check sees a cut file); were it to
        // hand over everything, our own count of the bytes produced would stop it.
        Assert.IsTrue(e.Message.Contains("exceeds the 8 bytes that follow it", StringComparison.Ordinal)
            || e.Message.Contains("decompresses to more than the per-entry limit", StringComparison.Ordinal), e.Message);
    }

    [TestMethod]
    public void EndlessDecompression_IsStoppedByThePerEntryCapOnBytesActuallyProduced()
    {
        using var endless = new EndlessStream();
        var e = Assert.ThrowsExactly<ModelFormatException>(() => ModelArchiveReader.ReadCapped(endless, "bomb.bin", declared: 16, entryCap: 100_000, totalCap: 1L << 40, alreadyRead: 0));
        Assert.AreEqual("bomb.bin", e.Entry);
        StringAssert.Contains(e.Message, "decompresses to more than the per-entry limit of 100000 bytes (it declares 16)");
        Assert.IsTrue(endless.Produced <= 100_000 + (1 << 16), $"read {endless.Produced} bytes before stopping");
    }

    [TestMethod]
    public void EndlessDecompression_IsStoppedByWhatIsLeftOfTheTotalBudget()
    {
        using var endless = new EndlessStream();
        var e = Assert.ThrowsExactly<ModelFormatException>(() => ModelArchiveReader.ReadCapped(endless, "bomb.bin", declared: 16, entryCap: 1L << 30, totalCap: 200_000, alreadyRead: 150_000));
        StringAssert.Contains(e.Message, "would exceed the limit of 200000 uncompressed bytes for the whole archive");
        Assert.IsTrue(endless.Produced <= 50_000 + (1 << 16), $"read {endless.Produced} bytes before stopping");
    }

    [TestMethod]
    public void ReadCapped_ReturnsExactlyTheBytesWithinTheCaps()
    {
        byte[] data = [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31))];
        var got = ModelArchiveReader.ReadCapped(new MemoryStream(data), "x", declared: 5, entryCap: 70_000, totalCap: 80_000, alreadyRead: 10_000);
        CollectionAssert.AreEqual(data, got.ToArray());
    }

    private sealed class EndlessStream : Stream
    {
        public long Produced { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Produced += count;
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [TestMethod]
    public void ArchiveWhoseEntriesExceedTheTotalLimit_IsRefused()
    {
        var ml = NewContext();
        byte[] archive = ValidArchive(ml);
        ml.Model.ArchiveLimits = new ModelArchiveLimits { MaxTotalBytes = 500 };
        var e = LoadExpectingFormatError(ml, archive);
        StringAssert.Contains(e.Message, "limit of 500 uncompressed bytes");
    }

    [TestMethod]
    public void NonsensicalLimits_AreRejectedWhenSet()
    {
        var ml = NewContext();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Model.ArchiveLimits = ModelArchiveLimits.Default with { MaxEntryCount = 0 });
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Model.ArchiveLimits = ModelArchiveLimits.Default with { MaxEntryBytes = (long)Array.MaxLength + 1 });
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Model.ArchiveLimits = ModelArchiveLimits.Default with { MaxTotalBytes = -1 });
        Assert.AreSame(ModelArchiveLimits.Default, ml.Model.ArchiveLimits);
        Assert.AreEqual(10_000, ModelArchiveLimits.Default.MaxEntryCount);
        Assert.AreEqual(4L << 30, ModelArchiveLimits.Default.MaxTotalBytes);
    }

    [TestMethod]
    public void ArchiveWithTooManyEntries_IsRefusedNamingTheFile()
    {
        var ml = NewContext();
        byte[] archive = ValidArchive(ml); // 7 entries
        ml.Model.ArchiveLimits = new ModelArchiveLimits { MaxEntryCount = 6 };
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual("stream", e.Entry);
        StringAssert.Contains(e.Message, "has 7 entries, more than the limit of 6");

        ml.Model.ArchiveLimits = new ModelArchiveLimits { MaxEntryCount = 7 };
        Assert.IsInstanceOfType<ArchiveBag>(LoadFromBytes(ml, archive, out _));
    }

    [TestMethod]
    public void EntryCountClaimedByTheEndRecord_IsCheckedBeforeTheDirectoryIsParsed()
    {
        var ml = NewContext();
        byte[] archive = ValidArchive(ml);
        int eocd = archive.Length - 22;
        BinaryPrimitives.WriteUInt16LittleEndian(archive.AsSpan(eocd + 8), 60_000);
        BinaryPrimitives.WriteUInt16LittleEndian(archive.AsSpan(eocd + 10), 60_000);
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual("stream", e.Entry);
        StringAssert.Contains(e.Message, "has 60000 entries, more than the limit of 10000");
    }

    [TestMethod]
    public void UnknownTypeId_IsRefusedNamingComponentAndId()
    {
        var saving = NewContext();
        byte[] archive = ValidArchive(saving);

        // A fresh context knows only the built-ins: the test components were never registered with it.
        var e = LoadExpectingFormatError(new MLContext(), archive);
        Assert.AreEqual("model", e.Entry);
        StringAssert.Contains(e.Message, $"unknown component type id '{ArchiveBag.TypeId}'");

        // A nested unknown id names the nested component.
        byte[] nested = EditManifest(archive, m => ReplaceNth(m, $"\"{ArchiveBag.TypeId}\"", 2, "\"No.Such.Component\""));
        e = LoadExpectingFormatError(saving, nested);
        Assert.AreEqual("model/components/0-tok", e.Entry);
        StringAssert.Contains(e.Message, "unknown component type id 'No.Such.Component'");
    }

    [TestMethod]
    public void RootThatIsNotATransformer_IsRefused()
    {
        var ml = NewContext();
        byte[] archive = EditManifest(SaveToBytes(ml, new ArchiveBag()), m => m.Replace($"\"{ArchiveBag.TypeId}\"", $"\"{PlainComponent.TypeId}\""));
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual("model", e.Entry);
        StringAssert.Contains(e.Message, "loads as PlainComponent, which is not an ITransformer");
    }

    [TestMethod]
    public void ChildOfTheWrongKind_IsRefusedNamingTheChild()
    {
        var ml = NewContext();
        byte[] archive = SaveToBytes(ml, new ArchiveBag { Children = { ("kid", new ArchiveBag()) } });
        archive = EditManifest(archive, m => ReplaceNth(m, $"\"{ArchiveBag.TypeId}\"", 2, $"\"{PlainComponent.TypeId}\""));
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual("model/components/kid", e.Entry);
        StringAssert.Contains(e.Message, $"component of type '{PlainComponent.TypeId}' is not a ArchiveBag");
    }

    [TestMethod]
    public void ClrTypeNameAsTypeId_IsNeverInstantiated()
    {
        var ml = NewContext();
        string clrName = typeof(ArchiveBag).AssemblyQualifiedName!;
        byte[] archive = EditManifest(SaveToBytes(ml, new ArchiveBag()), m => m.Replace($"\"{ArchiveBag.TypeId}\"", System.Text.Json.JsonSerializer.Serialize(clrName)));
        var e = LoadExpectingFormatError(ml, archive);
        StringAssert.Contains(e.Message, "unknown component type id");
    }

    [TestMethod]
    public void TruncatedArchive_IsRefusedAtEveryCutPoint()
    {
        var ml = NewContext();
        byte[] archive = ValidArchive(ml);
        int[] cuts = [0, 1, 4, 30, 100, archive.Length / 4, archive.Length / 2, 3 * archive.Length / 4, archive.Length - 23, archive.Length - 22, archive.Length - 10, archive.Length - 1];
        foreach (int cut in cuts)
        {
            var e = LoadExpectingFormatError(ml, archive[..cut]);
            Assert.AreEqual("stream", e.Entry, $"cut at {cut}: {e.Message}");
        }
        // Every single cut point, for the reader's sake: none may escape as a raw exception.
        for (int cut = 0; cut < archive.Length; cut += 7) LoadExpectingFormatError(ml, archive[..cut]);
    }

    [TestMethod]
    public void RandomByteCorruption_EitherLoadsOrFailsWithAFormatError()
    {
        // Seeded fuzzing over both a stored and a deflated layout: whatever the damage, the only acceptable
        // failure is a ModelFormatException (LoadExpectingFormatError fails the test on any other type).
        var ml = NewContext();
        byte[][] originals = [ValidArchive(ml), Deflated(ValidArchive(ml), RootTensors)];
        var rng = new Random(20261123);
        int refused = 0, loaded = 0;
        for (int iteration = 0; iteration < 400; iteration++)
        {
            byte[] archive = (byte[])originals[iteration % 2].Clone();
            int flips = 1 + rng.Next(4);
            for (int f = 0; f < flips; f++) archive[rng.Next(archive.Length)] ^= (byte)(1 + rng.Next(255));
            try
            {
                LoadFromBytes(ml, archive, out _);
                loaded++;
            }
            catch (ModelFormatException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration}: {e.GetType().Name} escaped: {e}");
            }
        }
        Assert.IsTrue(refused > 100, $"only {refused} of 400 corruptions were refused ({loaded} loaded)");
    }

    [TestMethod]
    public void RandomManifestAndHeaderEdits_EitherLoadOrFailWithAFormatError()
    {
        // Byte flips inside the zip mostly hit data; these edits go to the JSON the reader interprets.
        var ml = NewContext();
        var entries = ReadEntries(ValidArchive(ml));
        var rng = new Random(MutationSeed);
        int refused = 0;
        for (int iteration = 0; iteration < MutationIterations; iteration++)
        {
            int target = rng.Next(2) == 0 ? 0 : entries.FindIndex(e => e.Name == RootTensors);
            var bytes = new List<byte>(entries[target].Data);
            // Edits stay inside the manifest, or inside the safetensors length prefix and header.
            int limit = target == 0 ? bytes.Count : 8 + (int)BitConverter.ToUInt64(entries[target].Data, 0);
            for (int edit = 1 + rng.Next(3); edit > 0; edit--)
            {
                int at = rng.Next(limit);
                switch (rng.Next(3))
                {
                    case 0: bytes[at] = (byte)ReplacementChars[rng.Next(ReplacementChars.Length)]; break;
                    case 1: bytes.RemoveAt(at); limit--; break;
                    default: bytes.Insert(at, (byte)ReplacementChars[rng.Next(ReplacementChars.Length)]); limit++; break;
                }
            }
            var mutated = entries.ToList();
            mutated[target] = (entries[target].Name, bytes.ToArray());
            try
            {
                LoadFromBytes(ml, BuildZip(mutated), out _);
            }
            catch (ModelFormatException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration}: {e.GetType().Name} escaped: {e}");
            }
        }
        Assert.IsTrue(refused > MutationIterations / 4, $"only {refused} of {MutationIterations} edits were refused");
    }

    private const string ReplacementChars = "{}[]\",:0123456789-.eE \n\u00e9a"; // \u00e9 becomes a lone 0xE9: invalid UTF-8
    private const int MutationSeed = 11;
    private const int MutationIterations = 300;

    [TestMethod]
    public void CorruptedCompressedData_IsRefusedNamingTheEntry()
    {
        var ml = NewContext();
        byte[] archive = Deflated(ValidArchive(ml), RootTensors);
        var (dataStart, dataLength) = LocateData(archive, RootTensors);
        for (int i = 0; i < dataLength; i++) archive[dataStart + i] ^= 0x5A;
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual(RootTensors, e.Entry);
    }

    [TestMethod]
    public void MissingManifest_IsRefused()
    {
        var ml = NewContext();
        var e = LoadExpectingFormatError(ml, RemoveEntry(ValidArchive(ml), "manifest.json"));
        Assert.AreEqual("manifest.json", e.Entry);
        StringAssert.Contains(e.Message, "missing");
    }

    [TestMethod]
    public void ManifestReferenceToAMissingEntry_IsRefused()
    {
        var ml = NewContext();
        var e = LoadExpectingFormatError(ml, RemoveEntry(ValidArchive(ml), "model/components/0-tok/texts/vocab.txt"));
        Assert.AreEqual("model/components/0-tok/texts/vocab.txt", e.Entry);
        StringAssert.Contains(e.Message, "referenced by component 'model/components/0-tok' but is not in the archive");
    }

    [TestMethod]
    public void ManifestUsingOneEntryTwice_IsRefused()
    {
        var ml = NewContext();
        byte[] archive = EditManifest(ValidArchive(ml), m => m.Replace("model/components/0-tok/texts/empty.txt", "model/texts/labels.txt"));
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual("model/texts/labels.txt", e.Entry);
        StringAssert.Contains(e.Message, "more than once");
    }

    [TestMethod]
    [DataRow("{ not json", "not valid JSON")]
    [DataRow("[1, 2]", "not a JSON object")]
    [DataRow("{\"format\": \"Other\", \"formatVersion\": 1}", "format 'Other'")]
    [DataRow("{\"format\": \"MLComponents.Model\", \"formatVersion\": 99}", "format version 99 is newer")]
    [DataRow("{\"format\": \"MLComponents.Model\", \"format\": \"MLComponents.Model\"}", "key 'format' twice")]
    [DataRow("{\"format\": \"MLComponents.Model\", \"formatVersion\": 1, \"inputSchema\": []}", "'model' is missing")]
    public void MalformedManifest_IsRefusedNamingIt(string manifest, string problem)
    {
        var ml = NewContext();
        var e = LoadExpectingFormatError(ml, ReplaceEntry(ValidArchive(ml), "manifest.json", Encoding.UTF8.GetBytes(manifest)));
        Assert.AreEqual("manifest.json", e.Entry);
        StringAssert.Contains(e.Message, problem);
    }

    [TestMethod]
    public void InvalidChildNameInManifest_IsRefused()
    {
        var ml = NewContext();
        var e = LoadExpectingFormatError(ml, EditManifest(ValidArchive(ml), m => m.Replace("\"name\": \"1-sib\"", "\"name\": \"..\"")));
        Assert.AreEqual("manifest.json", e.Entry);
        StringAssert.Contains(e.Message, "component name '..' is invalid");
    }

    [TestMethod]
    public void DeeplyNestedComponents_AreRefusedPastTheDepthLimit()
    {
        var ml = NewContext();
        var root = new ArchiveBag();
        var node = root;
        for (int i = 0; i < 10; i++)
        {
            var child = new ArchiveBag();
            node.Children.Add(("c", child));
            node = child;
        }
        byte[] archive = SaveToBytes(ml, root);
        ml.Model.ArchiveLimits = new ModelArchiveLimits { MaxComponentDepth = 5 };
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual("manifest.json", e.Entry);
        StringAssert.Contains(e.Message, "nested deeper than the limit of 5");
    }

    [TestMethod]
    [DataRow(new byte[] { 0xC3, 0x28, 0x0A }, "not valid UTF-8")]
    [DataRow(new byte[] { 0x61, 0x0A, 0x62 }, "does not end with a line break")]
    [DataRow(new byte[] { 0x61, 0x0D, 0x0A }, "carriage return")]
    public void MalformedText_IsRefusedNamingTheEntry(byte[] content, string problem)
    {
        var ml = NewContext();
        var e = LoadExpectingFormatError(ml, ReplaceEntry(ValidArchive(ml), "model/texts/labels.txt", content));
        Assert.AreEqual("model/texts/labels.txt", e.Entry);
        StringAssert.Contains(e.Message, problem);
    }

    [TestMethod]
    public void ComponentLoadFailure_IsReportedAsFormatErrorNamingTheComponent()
    {
        var ml = NewContext();
        // The test component requires its "floatTensors" option; drop it from the nested component.
        byte[] archive = EditManifest(SaveToBytes(ml, new ArchiveBag { Children = { ("kid", new ArchiveBag()) } }),
            m => ReplaceNth(m, "\"floatTensors\"", 2, "\"renamed\""));
        var e = LoadExpectingFormatError(ml, archive);
        Assert.AreEqual("model/components/kid", e.Entry);
        StringAssert.Contains(e.Message, "option 'floatTensors' is missing");
    }

    /// <summary>Our writer stores tensors uncompressed; re-store one deflated, as another zip tool might.</summary>
    private static byte[] Deflated(byte[] archive, string name)
    {
        byte[] data = ReadEntries(archive).Single(e => e.Name == name).Data;
        byte[] result = ReplaceEntry(archive, name, data);
        var (_, compressed) = LocateData(result, name);
        Assert.IsTrue(compressed < data.Length, "the entry should now be deflated");
        return result;
    }

    private static string ReplaceNth(string s, string find, int n, string replacement)
    {
        int at = -1;
        for (int i = 0; i < n; i++)
        {
            at = s.IndexOf(find, at + 1, StringComparison.Ordinal);
            Assert.IsTrue(at >= 0, $"occurrence {n} of {find} not found");
        }
        return string.Concat(s.AsSpan(0, at), replacement, s.AsSpan(at + find.Length));
    }

    /// <summary>Rewrites an entry's uncompressed size in both its local header and the central directory.</summary>
    private static byte[] PatchDeclaredSize(byte[] archive, string name, uint size)
    {
        byte[] patched = (byte[])archive.Clone();
        int patches = 0;
        foreach (var (cd, local) in Headers(archive, name))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(cd + 24), size);
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(local + 22), size);
            patches++;
        }
        Assert.AreEqual(1, patches);
        return patched;
    }

    private static (int Start, int Length) LocateData(byte[] archive, string name)
    {
        var (cd, local) = Headers(archive, name).Single();
        int compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(archive.AsSpan(cd + 20));
        int start = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(archive.AsSpan(local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(archive.AsSpan(local + 28));
        return (start, compressed);
    }

    /// <summary>Central-directory and local-header offsets of an entry, found by walking the central directory.</summary>
    private static IEnumerable<(int CentralHeader, int LocalHeader)> Headers(byte[] zip, string name)
    {
        int eocd = zip.Length - 22;
        Assert.AreEqual(0x06054b50u, BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocd)));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(eocd + 10));
        int p = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocd + 16));
        var result = new List<(int, int)>();
        for (int i = 0; i < count; i++)
        {
            Assert.AreEqual(0x02014b50u, BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(p)));
            int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(p + 28));
            int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(p + 30));
            int commentLen = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(p + 32));
            int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(p + 42));
            if (Encoding.UTF8.GetString(zip, p + 46, nameLen) == name) result.Add((p, local));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return result;
    }
}
