using static MLComponents.UnitTests.Core.ArchiveTestKit;

namespace MLComponents.UnitTests.Core;

/// <summary>Saving to a file replaces it all at once or not at all.</summary>
[TestClass]
public sealed class ArchiveAtomicSaveTests
{
    [TestMethod]
    public void FailedSave_LeavesNoFileAndNoTemporaryFile()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        string path = Path.Combine(dir.Path, "model.zip");
        string[]? filesDuringSave = null;
        var failing = new ThrowingSaveComponent(() => filesDuringSave = dir.Files());

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.Save(failing, SimpleSchema(), path));
        StringAssert.Contains(e.Message, "simulated failure");

        // The failure happened while the temporary file existed, and it was cleaned up.
        Assert.IsNotNull(filesDuringSave);
        Assert.AreEqual(1, filesDuringSave.Length);
        StringAssert.StartsWith(filesDuringSave[0], ".model.zip.");
        StringAssert.EndsWith(filesDuringSave[0], ".tmp");
        Assert.AreEqual(0, dir.Files().Length);
    }

    [TestMethod]
    public void FailedSave_LeavesAnExistingModelUntouched()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        string path = Path.Combine(dir.Path, "model.zip");
        var original = SampleTree();
        ml.Model.Save(original, SimpleSchema(), path);
        byte[] before = File.ReadAllBytes(path);

        Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.Save(new ThrowingSaveComponent(), SimpleSchema(), path));

        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "model.zip" }, dir.Files());
        AssertBagsEqual(original, (ArchiveBag)ml.Model.Load(path, out _));
    }

    [TestMethod]
    public void SaveWithUnsavableSchema_LeavesAnExistingModelUntouched()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        string path = Path.Combine(dir.Path, "model.zip");
        File.WriteAllText(path, "previous content");
        var ann = new DataViewSchema.Annotations.Builder().Add("Odd", NumberDataViewType.Int32, new object()).ToAnnotations();
        var schema = new DataViewSchema.Builder().AddColumn("X", NumberDataViewType.Single, ann).ToSchema();

        Assert.ThrowsExactly<ArgumentException>(() => ml.Model.Save(new ArchiveBag(), schema, path));

        Assert.AreEqual("previous content", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { "model.zip" }, dir.Files());
    }

    [TestMethod]
    public void SuccessfulSave_ReplacesAnExistingFile()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        string path = Path.Combine(dir.Path, "model.zip");
        File.WriteAllText(path, "previous content");
        var model = SampleTree();

        ml.Model.Save(model, SimpleSchema(), path);

        CollectionAssert.AreEqual(new[] { "model.zip" }, dir.Files());
        AssertBagsEqual(model, (ArchiveBag)ml.Model.Load(path, out _));
    }

    [TestMethod]
    public void SaveToADirectoryPath_IsRefusedAndCreatesNothing()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        Assert.ThrowsExactly<ArgumentException>(() => ml.Model.Save(new ArchiveBag(), SimpleSchema(), dir.Path));
        Assert.AreEqual(0, dir.Files().Length);
    }

    [TestMethod]
    public void SaveIntoAMissingDirectory_FailsWithTheStandardException()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        string path = Path.Combine(dir.Path, "missing", "model.zip");
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ml.Model.Save(new ArchiveBag(), SimpleSchema(), path));
        Assert.IsFalse(Directory.Exists(Path.Combine(dir.Path, "missing")));
    }

    [TestMethod]
    public void LoadOfATruncatedFile_NamesTheFile()
    {
        var ml = NewContext();
        using var dir = NewTempDirectory();
        string path = Path.Combine(dir.Path, "model.zip");
        ml.Model.Save(SampleTree(), SimpleSchema(), path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.ThrowsExactly<ModelFormatException>(() => ml.Model.Load(path, out _));
        Assert.AreEqual(path, e.Entry);
        StringAssert.Contains(e.Message, $"Model archive '{path}'");
    }
}
