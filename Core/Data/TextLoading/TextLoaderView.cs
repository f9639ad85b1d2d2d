using System.Globalization;

namespace MLComponents;

/// <summary>The lazy view a <see cref="TextLoader"/> returns: each cursor streams the file again.</summary>
internal sealed class TextLoaderView : IDataView
{
    private readonly string _path;
    private readonly TextLoader.Options _options;
    private readonly TextLoader.LoadedColumn[] _columns;

    public TextLoaderView(string path, TextLoader.Options options, TextLoader.LoadedColumn[] columns)
    {
        _path = path; _options = options; _columns = columns;
        var b = new DataViewSchema.Builder();
        foreach (var c in columns) b.AddColumn(c.Name, c.Type);
        Schema = b.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    private sealed class Cursor : RowCursorBase
    {
        private readonly TextLoaderView _view;
        private readonly StreamReader _reader;
        private readonly CsvRecordReader _csv;

        public Cursor(TextLoaderView view, IEnumerable<DataViewSchema.Column> needed) : base(view.Schema, needed)
        {
            _view = view;
            _reader = TextLoader.OpenText(view._path);
            _csv = new CsvRecordReader(_reader, view._path, view._options.Separator, view._options.AllowQuoting, view._options.TrimWhitespace);
            if (view._options.HasHeader) _csv.Read();
        }

        protected override bool MoveNextCore() => _csv.Read();

        protected override Delegate MakeGetter(int columnIndex)
        {
            var col = _view._columns[columnIndex];
            return (Delegate)GenericDispatch.Invoke(typeof(Cursor), col.Type is VectorDataViewType ? nameof(VectorGetter) : nameof(ScalarGetter),
                [col.ItemType.RawType], this, col)!;
        }

        private ValueGetter<T> ScalarGetter<T>(TextLoader.LoadedColumn col)
        {
            var parse = FieldParser.For<T>(col.ItemType);
            int field = col.Sources[0];
            return (ref T v) => v = Parse(parse, col, field);
        }

        private ValueGetter<VBuffer<T>> VectorGetter<T>(TextLoader.LoadedColumn col)
        {
            var parse = FieldParser.For<T>(col.ItemType);
            return (ref VBuffer<T> v) =>
            {
                var buf = VBufferUtils.Rent(v, col.Sources.Length);
                for (int i = 0; i < col.Sources.Length; i++) buf[i] = Parse(parse, col, col.Sources[i]);
                v = new VBuffer<T>(col.Sources.Length, buf);
            };
        }

        private T Parse<T>(FieldParser.Parse<T> parse, TextLoader.LoadedColumn col, int field)
        {
            EnsureOnRow();
            if (field >= _csv.Fields.Count)
                throw new TextLoaderException(_view._path, _csv.LineNumber, col.Name, null,
                    $"the record has {_csv.Fields.Count} field(s), but the column reads field {field} (zero-based).");
            var text = _csv.Field(field);
            var error = parse(text, out T value);
            if (error is not null) throw new TextLoaderException(_view._path, _csv.LineNumber, col.Name, text.ToString(), error);
            return value;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _reader.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>Field text to typed values; a parser returns null on success or a description of the problem.</summary>
internal static class FieldParser
{
    public delegate string? Parse<T>(ReadOnlyMemory<char> text, out T value);

    public static Parse<T> For<T>(PrimitiveDataViewType type)
    {
        Delegate d = type switch
        {
            TextDataViewType => (Parse<ReadOnlyMemory<char>>)((ReadOnlyMemory<char> t, out ReadOnlyMemory<char> v) => { v = t; return null; }),
            BooleanDataViewType => (Parse<bool>)ParseBool,
            KeyDataViewType k => (Parse<uint>)((ReadOnlyMemory<char> t, out uint v) => ParseKey(t, k, out v)),
            _ when type.RawType == typeof(float) => (Parse<float>)((ReadOnlyMemory<char> t, out float v) =>
                t.Span.IsWhiteSpace() ? Ok(v = float.NaN) : float.TryParse(t.Span, NumberStyles.Float, CultureInfo.InvariantCulture, out v) ? null : "not a Single number."),
            _ when type.RawType == typeof(double) => (Parse<double>)((ReadOnlyMemory<char> t, out double v) =>
                t.Span.IsWhiteSpace() ? Ok(v = double.NaN) : double.TryParse(t.Span, NumberStyles.Float, CultureInfo.InvariantCulture, out v) ? null : "not a Double number."),
            _ when type.RawType == typeof(int) => (Parse<int>)((ReadOnlyMemory<char> t, out int v) =>
                int.TryParse(t.Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out v) ? null : "not an Int32 number."),
            _ when type.RawType == typeof(uint) => (Parse<uint>)((ReadOnlyMemory<char> t, out uint v) =>
                uint.TryParse(t.Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out v) ? null : "not a UInt32 number."),
            _ when type.RawType == typeof(long) => (Parse<long>)((ReadOnlyMemory<char> t, out long v) =>
                long.TryParse(t.Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out v) ? null : "not an Int64 number."),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No text parser for this type."),
        };
        return (Parse<T>)d;
    }

    private static string? Ok<T>(T _) => null;

    private static string? ParseBool(ReadOnlyMemory<char> text, out bool value)
    {
        var s = text.Span.Trim();
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("1")) { value = true; return null; }
        if (s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("0")) { value = false; return null; }
        value = false;
        return "not a Boolean (true/false/1/0).";
    }

    private static string? ParseKey(ReadOnlyMemory<char> text, KeyDataViewType key, out uint value)
    {
        if (text.Span.IsWhiteSpace()) { value = 0; return null; }
        if (!uint.TryParse(text.Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out value)) return $"not a key of {key}.";
        return value > key.Count ? $"key {value} is outside 0..{key.Count}." : null;
    }
}
