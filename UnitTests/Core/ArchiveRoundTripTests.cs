using System.Text;
using static MLComponents.UnitTests.Core.ArchiveTestKit;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class ArchiveRoundTripTests
{
    [TestMethod]
    public void StreamRoundTrip_PreservesOptionsTensorsTextsAndChildren()
    {
        var ml = NewContext();
        var model = SampleTree();
        var loaded = LoadFromBytes(ml, SaveToBytes(ml, model), out _);
        Assert.IsInstanceOfType<ArchiveBag>(loaded);
        AssertBagsEqual(model, (ArchiveBag)loaded);
    }

    [TestMethod]
    public void FileRoundTrip_PreservesTreeAndLeavesOnlyTheTarget()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        string path = Path.Combine(dir.Path, "model.zip");
        var model = SampleTree();
        ml.Model.Save(model, SimpleSchema(), path);
        CollectionAssert.AreEqual(new[] { "model.zip" }, dir.Files());

        var loaded = ml.Model.Load(path, out var schema);
        AssertBagsEqual(model, (ArchiveBag)loaded);
        Assert.AreEqual("Text", schema[0].Name);
    }

    [TestMethod]
    public void Archive_HasTheDocumentedLayout()
    {
        var ml = NewContext();
        var names = ReadEntries(SaveToBytes(ml, SampleTree())).Select(e => e.Name).ToList();
        CollectionAssert.AreEqual(new[]
        {
            "manifest.json",
            "model/tensors.safetensors",
            "model/texts/labels.txt",
            "model/components/0-tok/tensors.safetensors",
            "model/components/0-tok/texts/vocab.txt",
            "model/components/0-tok/texts/empty.txt",
            "model/components/0-tok/components/inner/tensors.safetensors",
        }, names);
    }

    [TestMethod]
    public void TextEntries_AreUtf8WithOneItemPerLine()
    {
        var ml = NewContext();
        var entries = ReadEntries(SaveToBytes(ml, SampleTree()));
        byte[] vocab = entries.Single(e => e.Name == "model/components/0-tok/texts/vocab.txt").Data;
        byte[] expected = Encoding.UTF8.GetBytes("[PAD]\nhéllo\n日本語\nemoji 🙂\n\n padded \ntab\there\n");
        CollectionAssert.AreEqual(expected, vocab);
        Assert.AreEqual(0, entries.Single(e => e.Name == "model/components/0-tok/texts/empty.txt").Data.Length);
    }

    [TestMethod]
    public void SavingTheSameModelTwice_GivesIdenticalBytes()
    {
        var ml = NewContext();
        CollectionAssert.AreEqual(SaveToBytes(ml, SampleTree()), SaveToBytes(ml, SampleTree()));
    }

    [TestMethod]
    public void ComponentWithNothingButOptions_RoundTrips()
    {
        var ml = NewContext();
        var model = new ArchiveBag();
        var loaded = (ArchiveBag)LoadFromBytes(ml, SaveToBytes(ml, model), out _);
        AssertBagsEqual(model, loaded);
        CollectionAssert.AreEqual(new[] { "manifest.json" }, ReadEntries(SaveToBytes(ml, model)).Select(e => e.Name).ToArray());
    }

    [TestMethod]
    public void NonSeekableStream_Loads()
    {
        var ml = NewContext();
        var model = SampleTree();
        using var stream = new ForwardOnlyStream(SaveToBytes(ml, model));
        AssertBagsEqual(model, (ArchiveBag)ml.Model.Load(stream, out _));
    }

    [TestMethod]
    public void SaveToANonSeekableStream_Loads()
    {
        var ml = NewContext();
        var model = SampleTree();
        var sink = new WriteOnlyStream();
        ml.Model.Save(model, SimpleSchema(), sink);
        AssertBagsEqual(model, (ArchiveBag)LoadFromBytes(ml, sink.Inner.ToArray(), out _));
    }

    [TestMethod]
    public void OptionsThatAreNotPlainJson_FailAtSaveNamingTheComponent()
    {
        var ml = NewContext();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => SaveToBytes(ml, new NonJsonWrapper()));
        StringAssert.Contains(e.Message, "component 'ArchiveTests.NonJson' (saved at 'model/components/inner')");
    }

    private sealed class NonJsonWrapper : ITransformer
    {
        public string ComponentTypeId => ArchiveBag.TypeId;
        public bool IsRowToRowMapper => true;
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;
        public IDataView Transform(IDataView input) => input;
        public void Save(ModelSaveContext ctx) => ctx.AddComponent("inner", new NonJsonOptionsComponent());
    }

    private sealed class WriteOnlyStream : Stream
    {
        public MemoryStream Inner { get; } = new();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);
    }

    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
