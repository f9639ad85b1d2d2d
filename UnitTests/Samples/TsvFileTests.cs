using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Samples.Tsv;

namespace MLComponents.UnitTests.SampleApps;

/// <summary>
/// The samples' TSV loading (<see cref="TsvFile"/>) against ML.NET 5.0.1's TextLoader: what ML.NET alone does with quotes, and that
/// the samples read both plain real text with stray quotes and pandas-quoted fields exactly, and refuse what they cannot.
/// </summary>
[TestClass]
public sealed class TsvFileTests
{
    private static readonly TsvColumn[] LabelAndText =
    [
        new("Label", DataKind.String, "Label"),
        new("Text", DataKind.String, "Text"),
    ];

    [TestMethod]
    public void MLNetAlone_MisreadsQuoteThenText_PandasTabs_AndEmptyNumbers_Silently()
    {
        // Why the samples check rows: ML.NET 5.0.1 misreads both kinds of file silently (it only logs 'Illegal quoting').
        using var dir = SampleTestData.TempDirectory();
        string raw = SampleTestData.WriteRaw(dir.Path, "raw.tsv", ["Label", "Text"], [["spam", "\"A billion here...\" > Bottom line"]]);
        string pandas = SampleTestData.WritePandas(dir.Path, "pandas.tsv", ["Label", "Text"], [["ham", "before\tafter"]]);
        var ml = new MLContext(seed: 1);
        string ReadText(string path, bool quoting) => ml.Data.LoadFromTextFile(path,
            [new TextLoader.Column("Label", DataKind.String, 0), new TextLoader.Column("Text", DataKind.String, 1)],
            separatorChar: '\t', hasHeader: true, allowQuoting: quoting).GetColumn<ReadOnlyMemory<char>>("Text").Single().ToString();

        Assert.AreEqual("", ReadText(raw, quoting: true));
        Assert.AreEqual("\"A billion here...\" > Bottom line", ReadText(raw, quoting: false));
        Assert.AreEqual("before\tafter", ReadText(pandas, quoting: true));
        Assert.AreEqual("\"before", ReadText(pandas, quoting: false));
        string unclosed = SampleTestData.WriteRaw(dir.Path, "unclosed.tsv", ["Label", "Text"], [["spam", "\"unclosed quote"], ["ham", "last"], ["ham", "\"x\" y"]]);
        var multiline = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Separators = ['\t'], HasHeader = true, AllowQuoting = true, ReadMultilines = true,
            Columns = [new TextLoader.Column("Label", DataKind.String, 0), new TextLoader.Column("Text", DataKind.String, 1)],
        }).Load(unclosed);
        CollectionAssert.AreEqual(new[] { "spam" }, multiline.GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).ToArray(), "three rows read as one");
        Assert.AreEqual("", multiline.GetColumn<ReadOnlyMemory<char>>("Text").Single().ToString());
        string empty = SampleTestData.WriteRaw(dir.Path, "empty.tsv", ["Sentence1", "Label"], [["a", ""]]);
        var labels = ml.Data.LoadFromTextFile(empty, [new TextLoader.Column("Label", DataKind.Single, 1)], separatorChar: '\t', hasHeader: true);
        Assert.AreEqual(0f, labels.GetColumn<float>("Label").Single(), "an empty number cell reads as 0 unless missingRealsAsNaNs is set");
    }

    [TestMethod]
    public void Auto_SpamAssassinStyleText_ReadsQuotesAsTextAndSaysWhy()
    {
        using var dir = SampleTestData.TempDirectory();
        string[][] rows =
        [
            ["spam", "\"A billion here...\" > Bottom line: buy now"],
            ["ham", "he said \"hello\" and left"],
            ["ham", "an unclosed \"quote"],
            ["spam", "\"fully quoted\""],
            ["ham", "  two leading spaces"],
        ];
        string path = SampleTestData.WriteRaw(dir.Path, "raw.tsv", ["Label", "Text"], rows);

        var data = TsvFile.Load(new MLContext(seed: 1), path, LabelAndText);

        Assert.AreEqual(TsvQuoting.Off, data.Quoting);
        Assert.AreEqual(5, data.Rows);
        // ML.NET drops a field's leading spaces; everything else, quotes included, is the line's text.
        CollectionAssert.AreEqual(new[] { rows[0][1], rows[1][1], rows[2][1], rows[3][1], "two leading spaces" }, Texts(data));
        var note = data.Notes.Single();
        StringAssert.StartsWith(note, "quotes read as plain text, since with quoted fields line 2: field 2 starts with a quote and goes on after its closing quote");
        StringAssert.Contains(note, "\"A billion here...\" > Bottom line");
    }

    [TestMethod]
    public void Auto_PandasQuotedFields_ReadsDoubledQuotesTabsAndLineBreaks()
    {
        using var dir = SampleTestData.TempDirectory();
        string[][] rows =
        [
            ["ham", "plain text"],
            ["spam", "he said \"win\"\tthen a tab"],
            ["ham", "two\nlines and a \"quote\""],
            ["spam", "\"A billion here...\" > Bottom line"],
        ];
        string path = SampleTestData.WritePandas(dir.Path, "pandas.tsv", ["Label", "Text"], rows);
        StringAssert.Contains(File.ReadAllText(path), "\"he said \"\"win\"\"\tthen a tab\"");

        var data = TsvFile.Load(new MLContext(seed: 1), path, LabelAndText);

        Assert.AreEqual(TsvQuoting.On, data.Quoting);
        Assert.AreEqual(4, data.Rows);
        CollectionAssert.AreEqual(rows.Select(r => r[1]).ToArray(), Texts(data));
        CollectionAssert.AreEqual(new[] { "ham", "spam", "ham", "spam" }, data.View.GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).ToArray());
        StringAssert.StartsWith(data.Notes.Single(), "3 quoted fields read CSV-style");
    }

    [TestMethod]
    public void Auto_ColumnsByHeaderName_InAnyOrderWithExtraColumns()
    {
        using var dir = SampleTestData.TempDirectory();
        string path = SampleTestData.WriteRaw(dir.Path, "cols.tsv", ["Id", "Text", "Source", "Label"], [["1", "hello \"there\"", "web", "ham"], ["2", "win", "mail", "spam"]]);

        var data = TsvFile.Load(new MLContext(seed: 1), path, LabelAndText);

        CollectionAssert.AreEqual(new[] { "hello \"there\"", "win" }, Texts(data));
        Assert.AreEqual(0, data.Notes.Count);
    }

    [TestMethod]
    public void Forced_QuotingOnForRawText_And_OffForATabInQuotes_FailNamingFileAndLine()
    {
        using var dir = SampleTestData.TempDirectory();
        string raw = SampleTestData.WriteRaw(dir.Path, "raw.tsv", ["Label", "Text"], [["ham", "fine"], ["spam", "\"A billion here...\" > Bottom line"]]);
        string pandas = SampleTestData.WritePandas(dir.Path, "pandas.tsv", ["Label", "Text"], [["ham", "fine"], ["ham", "fine"], ["spam", "a\ttab"]]);
        var ml = new MLContext(seed: 1);

        var on = Assert.ThrowsExactly<InvalidDataException>(() => TsvFile.Load(ml, raw, LabelAndText, TsvQuoting.On));
        Assert.AreEqual($"file '{raw}' line 3: field 2 starts with a quote and goes on after its closing quote: \"A billion here...\" > Bottom line " +
            "(--quoting off reads quotes as plain text)", on.Message);
        var off = Assert.ThrowsExactly<InvalidDataException>(() => TsvFile.Load(ml, pandas, LabelAndText, TsvQuoting.Off));
        Assert.AreEqual($"file '{pandas}' line 4: 3 fields where the header has 2 (--quoting on reads CSV-style quoted fields)", off.Message);
    }

    [TestMethod]
    public void Auto_RowsThatLineUpNeitherWay_FailExplainingBoth()
    {
        using var dir = SampleTestData.TempDirectory();
        string path = SampleTestData.WriteRaw(dir.Path, "mixed.tsv", ["Label", "Text"], [["spam", "\"A billion\" > more"], ["ham", "\"quoted\ttab\""]]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TsvFile.Load(new MLContext(seed: 1), path, LabelAndText));

        Assert.AreEqual($"file '{path}' reads neither way: as plain text, line 3: 3 fields where the header has 2; " +
            "with quoted fields, line 2: field 2 starts with a quote and goes on after its closing quote: \"A billion\" > more", e.Message);
    }

    [TestMethod]
    public void BadFiles_FailNamingFileLineAndColumn()
    {
        using var dir = SampleTestData.TempDirectory();
        var ml = new MLContext(seed: 1);
        TsvColumn[] pairs = [new("Sentence1", DataKind.String, "Sentence1"), new("Label", DataKind.Single, "Label")];
        void Fails(string name, string content, TsvColumn[] columns, string message, TsvQuoting quoting = TsvQuoting.Auto)
        {
            string path = Path.Combine(dir.Path, name);
            File.WriteAllText(path, content);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => TsvFile.Load(ml, path, columns, quoting), name);
            Assert.AreEqual($"file '{path}' {message}", e.Message, name);
        }

        Fails("empty.tsv", "", LabelAndText, "is empty (a header row naming the columns is expected)");
        Fails("nocolumn.tsv", "Label\tSentence\nham\thi\n", LabelAndText, "has no column 'Text' in its header (columns: Label, Sentence)");
        Fails("headeronly.tsv", "Label\tText\n", LabelAndText, "has a header but no data rows");
        Fails("short.tsv", "Label\tText\nham\thi\nspam\n", LabelAndText, "line 3: 1 fields where the header has 2");
        Fails("number.tsv", "Sentence1\tLabel\na\t0.5\nb\t1/3\n", pairs, "line 3: column 'Label' holds '1/3', not a finite number");
        Fails("open.tsv", "Label\tText\nham\t\"never\ncloses\n", LabelAndText,
            "line 2: a quoted field (field 2) opens here and never closes (the file ends inside it) (--quoting off reads quotes as plain text)", TsvQuoting.On);
        Assert.ThrowsExactly<FileNotFoundException>(() => TsvFile.Load(ml, Path.Combine(dir.Path, "absent.tsv"), LabelAndText));
    }

    [TestMethod]
    public void LinesMLNetSkips_AndMissingNumbers_AreCountedInNotes()
    {
        using var dir = SampleTestData.TempDirectory();
        string path = Path.Combine(dir.Path, "skips.tsv");
        File.WriteAllText(path, "# a comment before the header\nSentence1\tLabel\nfirst\t1\n\n// looks like a comment to ML.NET\t0\nsecond\t\nthird\t0.25\n");
        TsvColumn[] columns = [new("Sentence1", DataKind.String, "Sentence1"), new("Label", DataKind.Single, "Label")];

        var data = TsvFile.Load(new MLContext(seed: 1), path, columns);

        Assert.AreEqual(3, data.Rows);
        CollectionAssert.AreEqual(new[] { "first", "second", "third" }, data.View.GetColumn<ReadOnlyMemory<char>>("Sentence1").Select(t => t.ToString()).ToArray());
        var labels = data.View.GetColumn<float>("Label").ToArray();
        Assert.AreEqual(1f, labels[0]);
        Assert.IsTrue(float.IsNaN(labels[1]));
        Assert.AreEqual(0.25f, labels[2]);
        CollectionAssert.AreEqual(new[]
        {
            "2 lines skipped as comments by ML.NET's TextLoader (// at the start of a line, or # before the header): line 1, 5",
            "1 empty line skipped",
            "1 row with no value in column 'Label' (read as missing and left out of training and metrics)",
        }, data.Notes.ToArray());
    }

    [TestMethod]
    public void Scanner_QuotedFieldOverSeveralLines_ReportsTheLineWhereItGoesWrong()
    {
        using var reader = new StringReader("Label\tText\nham\t\"two\nlines\" then text\n");
        var scanner = new TsvScanner(reader, quoting: true);
        Assert.AreEqual(1, scanner.Next()!.Line);

        var e = Assert.ThrowsExactly<TsvFormatException>(() => scanner.Next());

        Assert.AreEqual(3, e.Line);
        Assert.AreEqual("field 2 starts with a quote and goes on after its closing quote (the record starts at line 2): lines\" then text", e.Message);
    }

    private static string[] Texts(TsvData data) => [.. data.View.GetColumn<ReadOnlyMemory<char>>("Text").Select(t => t.ToString())];
}
