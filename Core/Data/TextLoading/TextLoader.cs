using System.Text;

namespace MLComponents;

/// <summary>
/// Reads delimited text files (TSV/CSV) as a streaming <see cref="IDataView"/>: each cursor re-reads the
/// file from disk and parses only the active columns (ML.NET's TextLoader).
/// </summary>
/// <remarks>
/// <para>Columns are read from zero-based field indices, as in ML.NET. As an extension, a column may instead
/// name a header field (<see cref="Column(string, DataKind, string)"/>; for row classes: a member without
/// <see cref="LoadColumnAttribute"/> is looked up by its column name in the header). This needs a header.</para>
/// <para>Parsing: numbers use the invariant culture; an empty float/double field is NaN (missing); an
/// empty key field is 0 (missing), other keys are read as written (1..Count); other empty numbers and
/// booleans are errors. Errors are <see cref="TextLoaderException"/> naming file, line, column and value,
/// raised when a getter reads the bad field (columns that are never read are never checked).</para>
/// </remarks>
public sealed class TextLoader
{
    private readonly Options _options;

    /// <summary>Creates a loader.</summary>
    public TextLoader(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Columns.Count == 0) throw new ArgumentException("A text loader needs at least one column.", nameof(options));
        foreach (var c in options.Columns) ArgumentNullException.ThrowIfNull(c, nameof(options.Columns));
        _options = options;
    }

    /// <summary>Opens <paramref name="path"/> as a lazy view; throws <see cref="FileNotFoundException"/> naming it when absent.</summary>
    public IDataView Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Text file '{path}' does not exist.", path);
        string[]? header = NeedsHeader() ? ReadHeader(path) : null;
        var cols = _options.Columns.Select(c => Resolve(c, header, path)).ToArray();
        return new TextLoaderView(path, _options, cols);
    }

    private bool NeedsHeader() => _options.Columns.Any(c => c.HeaderName is not null);

    private string[] ReadHeader(string path)
    {
        if (!_options.HasHeader) throw new ArgumentException($"Columns that name a header field need hasHeader: true (file '{path}').");
        using var reader = OpenText(path);
        var csv = new CsvRecordReader(reader, path, _options.Separator, _options.AllowQuoting, _options.TrimWhitespace);
        if (!csv.Read()) throw new TextLoaderException(path, 1, null, null, "the file is empty but a header was expected.");
        return [.. Enumerable.Range(0, csv.Fields.Count).Select(i => csv.Field(i).ToString())];
    }

    private static LoadedColumn Resolve(Column c, string[]? header, string path)
    {
        int[] sources = [.. c.Source];
        if (c.HeaderName is not null)
        {
            int i = Array.IndexOf(header!, c.HeaderName);
            if (i < 0)
                throw new SchemaException($"Column '{c.Name}': no header field named '{c.HeaderName}' in '{path}'. Header: {string.Join(", ", header!.Select(h => $"'{h}'"))}.", c.Name);
            sources = [i];
        }
        var item = c.DataKind.ToType(c.KeyCount);
        DataViewType type = c.IsVector ? new VectorDataViewType(item, sources.Length) : item;
        return new LoadedColumn(c.Name, type, item, sources);
    }

    internal static StreamReader OpenText(string path)
    {
        try
        {
            return new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Text file '{path}' does not exist.", path, e);
        }
    }

    internal sealed record LoadedColumn(string Name, DataViewType Type, PrimitiveDataViewType ItemType, int[] Sources);

    /// <summary>Loader settings.</summary>
    public sealed class Options
    {
        /// <summary>Field separator (default tab).</summary>
        public char Separator { get; init; } = '\t';

        /// <summary>True when the first record is a header (skipped, or used by header-named columns).</summary>
        public bool HasHeader { get; init; }

        /// <summary>True to honour RFC 4180 quoting (default true).</summary>
        public bool AllowQuoting { get; init; } = true;

        /// <summary>True to trim spaces (and tabs, unless tab separates) around unquoted fields.</summary>
        public bool TrimWhitespace { get; init; }

        /// <summary>The columns to produce.</summary>
        public IReadOnlyList<Column> Columns { get; init; } = [];
    }

    /// <summary>A column to load: name, kind, and where its value(s) come from.</summary>
    public sealed class Column
    {
        /// <summary>A scalar column read from field <paramref name="index"/> (zero-based).</summary>
        public Column(string name, DataKind dataKind, int index, KeyCount? keyCount = null)
            : this(name, dataKind, [index], false, keyCount) { }

        /// <summary>A fixed-size vector column read from fields <paramref name="minIndex"/>..<paramref name="maxIndex"/> inclusive.</summary>
        public Column(string name, DataKind dataKind, int minIndex, int maxIndex, KeyCount? keyCount = null)
            : this(name, dataKind, maxIndex >= minIndex ? [.. Enumerable.Range(minIndex, maxIndex - minIndex + 1)] : throw new ArgumentOutOfRangeException(nameof(maxIndex)), true, keyCount) { }

        /// <summary>A fixed-size vector column read from the listed fields.</summary>
        public Column(string name, DataKind dataKind, int[] indices, KeyCount? keyCount = null)
            : this(name, dataKind, indices, true, keyCount) { }

        /// <summary>A scalar column read from the header field named <paramref name="headerName"/> (needs hasHeader).</summary>
        public Column(string name, DataKind dataKind, string headerName)
            : this(name, dataKind, [0], false, null)
        {
            ArgumentException.ThrowIfNullOrEmpty(headerName);
            HeaderName = headerName;
        }

        internal Column(string name, DataKind dataKind, int[] indices, bool isVector, KeyCount? keyCount)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(indices);
            if (indices.Length == 0 || indices.Any(i => i < 0)) throw new ArgumentOutOfRangeException(nameof(indices), $"Column '{name}': field indices must be non-negative and at least one.");
            Name = name; DataKind = dataKind; Source = [.. indices]; IsVector = isVector; KeyCount = keyCount;
            _ = dataKind.ToType(keyCount);
        }

        /// <summary>Column name.</summary>
        public string Name { get; }

        /// <summary>Value kind.</summary>
        public DataKind DataKind { get; }

        /// <summary>Zero-based source field indices.</summary>
        public IReadOnlyList<int> Source { get; }

        /// <summary>Header field to read instead of <see cref="Source"/>, if any.</summary>
        public string? HeaderName { get; }

        /// <summary>When set, the column is a key of that many values.</summary>
        public KeyCount? KeyCount { get; }

        /// <summary>True for a vector column.</summary>
        public bool IsVector { get; }
    }

    /// <summary>The columns of a row class: [LoadColumn] members by index, others by header name.</summary>
    internal static Column[] ColumnsOf(Type rowType, bool hasHeader)
    {
        var def = SchemaDefinition.Create(rowType);
        var cols = new List<Column>();
        foreach (var m in def)
        {
            var type = m.ColumnType;
            var item = type is VectorDataViewType v ? v.ItemType : (PrimitiveDataViewType)type;
            var (kind, key) = KindOf(item, m);
            if (m.LoadColumn is { } load)
            {
                bool isVector = type is VectorDataViewType;
                if (!isVector && load.Sources.Count > 1)
                    throw new SchemaException($"Member '{m.MemberName}' is scalar but [LoadColumn] gives {load.Sources.Count} fields; use an array.", m.ColumnName);
                if (type is VectorDataViewType { Size: > 0 } fixedV && fixedV.Size != load.Sources.Count)
                    throw new SchemaException($"Member '{m.MemberName}' has [VectorType({fixedV.Size})] but [LoadColumn] gives {load.Sources.Count} fields.", m.ColumnName);
                cols.Add(new Column(m.ColumnName, kind, [.. load.Sources], isVector, key));
            }
            else if (hasHeader)
            {
                if (type is VectorDataViewType)
                    throw new SchemaException($"Member '{m.MemberName}' is a vector and needs [LoadColumn] field indices.", m.ColumnName);
                if (key is not null)
                    throw new SchemaException($"Member '{m.MemberName}' is a key and needs [LoadColumn] field indices.", m.ColumnName);
                cols.Add(new Column(m.ColumnName, kind, m.ColumnName));
            }
            else
            {
                throw new SchemaException($"Member '{m.MemberName}' of {rowType.Name} has no [LoadColumn] and there is no header to find column '{m.ColumnName}' by name.", m.ColumnName);
            }
        }
        return [.. cols];
    }

    private static (DataKind, KeyCount?) KindOf(PrimitiveDataViewType item, SchemaDefinition.Column m)
    {
        if (item is KeyDataViewType k) return (DataKind.UInt32, new KeyCount(k.Count));
        return item switch
        {
            TextDataViewType => (DataKind.String, null),
            BooleanDataViewType => (DataKind.Boolean, null),
            _ when item.RawType == typeof(float) => (DataKind.Single, null),
            _ when item.RawType == typeof(double) => (DataKind.Double, null),
            _ when item.RawType == typeof(int) => (DataKind.Int32, null),
            _ when item.RawType == typeof(uint) => (DataKind.UInt32, null),
            _ when item.RawType == typeof(long) => (DataKind.Int64, null),
            _ => throw new SchemaException($"Member '{m.MemberName}': type {item} cannot be loaded from text.", m.ColumnName),
        };
    }
}
