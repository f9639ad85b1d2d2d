using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class TextLoaderTests
{
    private static string WriteTemp(string content, string ext = ".tsv")
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlc-core-{Guid.NewGuid():N}{ext}");
        File.WriteAllText(path, content);
        return path;
    }

    private static void WithFile(string content, Action<string> test, string ext = ".tsv")
    {
        var path = WriteTemp(content, ext);
        try { test(path); }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void QuotedFieldsHoldSeparatorsDoubledQuotesAndNewlines()
    {
        const string csv = "text,score,label\n" +
                           "\"hello, world\",1.5,pos\n" +
                           "\"she said \"\"hi\"\"\",-2,neg\n" +
                           "\"two\nlines\",3e2,\"\"\n" +
                           "plain,0.25,pos\n";
        WithFile(csv, path =>
        {
            var ml = new MLContext(1);
            var rows = ml.Data.CreateEnumerable<TsvRow>(ml.Data.LoadFromTextFile<TsvRow>(path, separatorChar: ',', hasHeader: true), false).ToArray();
            Assert.HasCount(4, rows);
            Assert.AreEqual("hello, world", rows[0].Text);
            Assert.AreEqual(1.5f, rows[0].Score);
            Assert.AreEqual("she said \"hi\"", rows[1].Text);
            Assert.AreEqual(-2f, rows[1].Score);
            Assert.AreEqual("two\nlines", rows[2].Text);
            Assert.AreEqual(300f, rows[2].Score);
            Assert.AreEqual("", rows[2].Label);
            Assert.AreEqual("plain", rows[3].Text);
        }, ".csv");
    }

    [TestMethod]
    public void WithoutQuotingQuotesAreLiteral()
    {
        WithFile("\"a\tb\"\t1\tc\n", path =>
        {
            var ml = new MLContext(1);
            var view = ml.Data.LoadFromTextFile(path, [new TextLoader.Column("T", DataKind.String, 0), new TextLoader.Column("S", DataKind.String, 1)], allowQuoting: false);
            var c = view.Schema["T"];
            using var cursor = view.GetRowCursor(view.Schema);
            var gt = cursor.GetGetter<ReadOnlyMemory<char>>(c);
            var gs = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["S"]);
            Assert.IsTrue(cursor.MoveNext());
            ReadOnlyMemory<char> t = default, s = default;
            gt(ref t);
            gs(ref s);
            Assert.AreEqual("\"a", t.ToString());
            Assert.AreEqual("b\"", s.ToString());
        });
    }

    [TestMethod]
    public void HeaderIsSkippedAndEmptyLinesIgnoredAndStreamedAgainPerCursor()
    {
        WithFile("Text\tScore\tLabel\r\nfoo\t1\ta\r\n\r\nbar\t2\tb\r\n", path =>
        {
            var ml = new MLContext(1);
            var view = ml.Data.LoadFromTextFile<TsvRow>(path, hasHeader: true);
            Assert.IsNull(view.GetRowCount());
            var first = ml.Data.CreateEnumerable<TsvRow>(view, false).Select(r => r.Text).ToArray();
            CollectionAssert.AreEqual(new[] { "foo", "bar" }, first);
            // The view is a recipe, not a copy: a new cursor sees the file as it is now.
            File.AppendAllText(path, "baz\t3\tc\n");
            Assert.AreEqual(3, ml.Data.CreateEnumerable<TsvRow>(view, false).Count());
        });
    }

    [TestMethod]
    public void VectorColumnsFromFieldRanges()
    {
        WithFile("1\t0.5\t1.5\t2.5\n2\t-1\t-2\t-3\n", path =>
        {
            var ml = new MLContext(1);
            var view = ml.Data.LoadFromTextFile<TsvVectorRow>(path);
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), view.Schema["Features"].Type);
            var rows = ml.Data.CreateEnumerable<TsvVectorRow>(view, false).ToArray();
            CollectionAssert.AreEqual(new[] { 0.5f, 1.5f, 2.5f }, rows[0].Features);
            CollectionAssert.AreEqual(new[] { -1f, -2f, -3f }, rows[1].Features);
            Assert.AreEqual(2, rows[1].Id);
        });
    }

    [TestMethod]
    public void MembersWithoutLoadColumnAreFoundByHeaderName()
    {
        WithFile("Id,Review,Label\n1,great film,pos\n2,\"dull, long\",neg\n", path =>
        {
            var ml = new MLContext(1);
            var rows = ml.Data.CreateEnumerable<HeaderRow>(ml.Data.LoadFromTextFile<HeaderRow>(path, ',', hasHeader: true), false).ToArray();
            Assert.AreEqual("dull, long", rows[1].Text);
            Assert.AreEqual("neg", rows[1].Label);
            var e = Assert.ThrowsExactly<SchemaException>(() => ml.Data.LoadFromTextFile<HeaderRow>(path, ',', hasHeader: false));
            Assert.AreEqual("Label", e.ColumnName);
        }, ".csv");
        WithFile("Id,Text,Label\n1,x,y\n", path =>
        {
            var e = Assert.ThrowsExactly<SchemaException>(() => new MLContext(1).Data.LoadFromTextFile<HeaderRow>(path, ',', hasHeader: true));
            StringAssert.Contains(e.Message, "'Review'");
            StringAssert.Contains(e.Message, "'Text'");
        }, ".csv");
    }

    [TestMethod]
    public void BadNumberErrorNamesFileLineColumnAndValue()
    {
        // Line 4 (the quoted newline makes record 2 span lines 2-3).
        WithFile("\"a\nb\"\t1\tx\nc\t2\ty\nd\tabc\tz\n", path =>
        {
            var ml = new MLContext(1);
            var view = ml.Data.LoadFromTextFile<TsvRow>(path);
            var e = Assert.ThrowsExactly<TextLoaderException>(() => ml.Data.CreateEnumerable<TsvRow>(view, false).ToList());
            Assert.IsInstanceOfType<FormatException>(e);
            Assert.AreEqual(path, e.FilePath);
            Assert.AreEqual(4, e.LineNumber);
            Assert.AreEqual("Score", e.ColumnName);
            Assert.AreEqual("abc", e.Value);
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, "line 4");
            StringAssert.Contains(e.Message, "'Score'");
            StringAssert.Contains(e.Message, "'abc'");
            // A column that is never read is never parsed: the text alone loads fine.
            var texts = ml.Data.CreateEnumerable<LabeledText>(view, false, ignoreMissingColumns: true).Select(r => r.Text).ToArray();
            CollectionAssert.AreEqual(new[] { "a\nb", "c", "d" }, texts);
        });
    }

    [TestMethod]
    public void MissingFieldErrorNamesLineAndColumn()
    {
        WithFile("Text\tScore\tLabel\nfoo\t1\ta\nbar\t2\n", path =>
        {
            var ml = new MLContext(1);
            var view = ml.Data.LoadFromTextFile<TsvRow>(path, hasHeader: true);
            var e = Assert.ThrowsExactly<TextLoaderException>(() => ml.Data.CreateEnumerable<TsvRow>(view, false).ToList());
            Assert.AreEqual(3, e.LineNumber);
            Assert.AreEqual("Label", e.ColumnName);
            StringAssert.Contains(e.Message, "line 3");
            StringAssert.Contains(e.Message, "2 field(s)");
        });
    }

    [TestMethod]
    public void IntegerBooleanAndKeyParsing()
    {
        WithFile("7\ttrue\t3\t\n-1\t0\t\t2.5\nx\tyes\t9\t1\n", path =>
        {
            var ml = new MLContext(1);
            var view = ml.Data.LoadFromTextFile(path,
            [
                new TextLoader.Column("I", DataKind.Int32, 0),
                new TextLoader.Column("B", DataKind.Boolean, 1),
                new TextLoader.Column("K", DataKind.UInt32, 2, new KeyCount(4)),
                new TextLoader.Column("F", DataKind.Single, 3),
            ]);
            Assert.AreEqual(new KeyDataViewType(4), view.Schema["K"].Type);
            using var cursor = view.GetRowCursor(view.Schema);
            var gi = cursor.GetGetter<int>(view.Schema["I"]);
            var gb = cursor.GetGetter<bool>(view.Schema["B"]);
            var gk = cursor.GetGetter<uint>(view.Schema["K"]);
            var gf = cursor.GetGetter<float>(view.Schema["F"]);
            int i = 0; bool b = false; uint k = 0; float f = 0;
            Assert.IsTrue(cursor.MoveNext());
            gi(ref i); gb(ref b); gk(ref k); gf(ref f);
            Assert.AreEqual((7, true, 3u), (i, b, k));
            Assert.IsTrue(float.IsNaN(f), "an empty float field is missing (NaN)");
            Assert.IsTrue(cursor.MoveNext());
            gi(ref i); gb(ref b); gk(ref k); gf(ref f);
            Assert.AreEqual((-1, false, 0u, 2.5f), (i, b, k, f));
            Assert.IsTrue(cursor.MoveNext());
            Assert.AreEqual("I", Assert.ThrowsExactly<TextLoaderException>(() => gi(ref i)).ColumnName);
            Assert.AreEqual("yes", Assert.ThrowsExactly<TextLoaderException>(() => gb(ref b)).Value);
            StringAssert.Contains(Assert.ThrowsExactly<TextLoaderException>(() => gk(ref k)).Message, "outside 0..4");
        });
    }

    [TestMethod]
    public void MissingFileIsFileNotFoundNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.tsv");
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => new MLContext(1).Data.LoadFromTextFile<TsvRow>(path));
        Assert.AreEqual(path, e.FileName);
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void UnclosedQuoteIsAnErrorWithItsLine()
    {
        WithFile("a\t1\tx\n\"open\t2\ty\n", path =>
        {
            var ml = new MLContext(1);
            var e = Assert.ThrowsExactly<TextLoaderException>(() => ml.Data.CreateEnumerable<TsvRow>(ml.Data.LoadFromTextFile<TsvRow>(path), false).ToList());
            Assert.AreEqual(2, e.LineNumber);
            StringAssert.Contains(e.Message, "not closed");
        });
    }

    [TestMethod]
    public void TrimWhitespaceTrimsUnquotedFieldsOnly()
    {
        WithFile("  a b  , 1.5 ,\" c \"\n", path =>
        {
            var ml = new MLContext(1);
            var row = ml.Data.CreateEnumerable<TsvRow>(ml.Data.LoadFromTextFile<TsvRow>(path, ',', trimWhitespace: true), false).Single();
            Assert.AreEqual(("a b", 1.5f, " c "), (row.Text, row.Score, row.Label));
        }, ".csv");
    }
}
