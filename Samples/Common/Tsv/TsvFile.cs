using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLComponents.Samples.Tsv;

/// <summary>A column to load from a TSV file: found by its header name, loaded under <paramref name="Name"/>.</summary>
/// <param name="Name">Column name in the loaded view.</param>
/// <param name="Kind">String or Single.</param>
/// <param name="HeaderName">Name in the file's header row.</param>
public sealed record TsvColumn(string Name, DataKind Kind, string HeaderName);

/// <summary>A loaded TSV file.</summary>
/// <param name="Path">The file.</param>
/// <param name="View">ML.NET's TextLoader view of the file (not cached).</param>
/// <param name="Rows">Data rows (the header not counted).</param>
/// <param name="Quoting">How quotes were read: <see cref="TsvQuoting.On"/> or <see cref="TsvQuoting.Off"/>.</param>
/// <param name="Notes">One-line notes for the user: how quotes were read when it mattered, lines ML.NET skips, missing values.</param>
public sealed record TsvData(string Path, IDataView View, long Rows, TsvQuoting Quoting, IReadOnlyList<string> Notes);

/// <summary>
/// Loads a TSV file with a header row through ML.NET's <c>TextLoader</c>, choosing how quotes are read and making sure no row
/// is misread or dropped without a word.
/// </summary>
/// <remarks>
/// ML.NET reads what it cannot parse silently: with allowQuoting on, a field that starts with a quote and goes on after its
/// closing quote (<c>"A billion here..." &gt; Bottom line</c>) becomes an empty string; with it off, a quoted field holding a
/// tab (as pandas writes it) is cut at the tab; lines starting with <c>//</c> vanish as comments; extra or missing fields are
/// ignored or read as empty; an empty number cell is 0 unless missingRealsAsNaNs is set (it is, here). So the file is first scanned (<see cref="TsvScanner"/>, ML.NET's rules, errors instead of
/// silence): every record must have the header's field count and the Single columns must hold numbers. Then ML.NET loads it,
/// and every loaded value is compared with the scanned one, so any difference left between the two readers is an error
/// naming the line, never a quietly different data set.
/// </remarks>
public static class TsvFile
{
    /// <summary>
    /// Whether two command-line paths name the same file (by full path), so that a test file that is also the training file is
    /// read once and its notes are printed once.
    /// </summary>
    /// <param name="a">One path.</param>
    /// <param name="b">The other, or null.</param>
    public static bool SameFile(string a, string? b) =>
        b is not null && string.Equals(System.IO.Path.GetFullPath(a), System.IO.Path.GetFullPath(b), StringComparison.Ordinal);

    /// <summary>Loads <paramref name="columns"/> of the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">A missing column, a bad row (naming the file and line) or no data rows.</exception>
    public static TsvData Load(MLContext ml, string path, IReadOnlyList<TsvColumn> columns, TsvQuoting quoting = TsvQuoting.Auto)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(columns);
        if (!File.Exists(path)) throw new FileNotFoundException($"file '{path}' not found", path);
        var notes = new List<string>();
        Check check;
        if (quoting == TsvQuoting.Auto)
        {
            var quoted = Check.Run(path, columns, quoting: true);
            if (quoted.Problem is null && quoted.QuotedFields > 0)
            {
                check = quoted;
                notes.Add($"{Plural.Count(quoted.QuotedFields, "quoted field")} read CSV-style (\"\" inside is a quote; tabs and line breaks inside are text); --quoting off reads quotes as plain text");
            }
            else
            {
                var plain = Check.Run(path, columns, quoting: false);
                if (plain.Problem is Problem p)
                {
                    if (quoted.Problem is not Problem q || q == p) throw p.Error(path, "");
                    throw new InvalidDataException($"file '{path}' reads neither way: as plain text, {p.Describe()}; with quoted fields, {q.Describe()}");
                }
                check = plain;
                if (quoted.Problem is Problem why && quoted.QuotedFields > 0)
                    notes.Add($"quotes read as plain text, since with quoted fields {why.Describe()}");
            }
        }
        else
        {
            check = Check.Run(path, columns, quoting == TsvQuoting.On);
            // The other reading is worth a hint only for a bad row, not for a missing column or an empty file.
            if (check.Problem is Problem p)
                throw p.Error(path, p.Line == 0 ? "" : quoting == TsvQuoting.On ? " (--quoting off reads quotes as plain text)" : " (--quoting on reads CSV-style quoted fields)");
        }
        if (check.Rows == 0) throw new InvalidDataException($"file '{path}' has a header but no data rows");
        notes.AddRange(check.Notes());

        bool on = check.Quoting;
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            // MissingRealsAsNaNs: without it ML.NET reads an empty number cell as 0, a label nobody wrote.
            Separators = ['\t'], HasHeader = true, AllowQuoting = on, ReadMultilines = on, TrimWhitespace = false, MissingRealsAsNaNs = true,
            Columns = [.. columns.Select((c, i) => new TextLoader.Column(c.Name, c.Kind, check.Indices[i]))],
        });
        var view = loader.Load(path);
        Verify(view, path, columns, check);
        return new TsvData(path, view, check.Rows, on ? TsvQuoting.On : TsvQuoting.Off, notes);
    }

    /// <summary>Why a file cannot be read one way: at a line (Line &gt; 0) or in the file as a whole (a missing column).</summary>
    private sealed record Problem(long Line, string Text)
    {
        public string Describe() => Line > 0 ? $"line {Line}: {Text}" : Text;

        public InvalidDataException Error(string path, string hint) =>
            new(Line > 0 ? $"file '{path}' line {Line}: {Text}{hint}" : $"file '{path}' {Text}{hint}");
    }

    /// <summary>Reads ML.NET's view next to the scanner and fails at the first value or row count that differs.</summary>
    private static void Verify(IDataView view, string path, IReadOnlyList<TsvColumn> columns, Check check)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var scanner = new TsvScanner(reader, check.Quoting);
        scanner.Next(); // the header
        var cols = columns.Select(c => view.Schema[c.Name]).ToArray();
        using var cursor = view.GetRowCursor(cols);
        var getters = cols.Select((c, i) => ValueReader(cursor, c, columns[i].Kind)).ToArray();
        long rows = 0;
        while (cursor.MoveNext())
        {
            var record = scanner.Next() ?? throw new InvalidDataException($"file '{path}': ML.NET's TextLoader read more rows than the file's {rows}");
            rows++;
            for (int i = 0; i < cols.Length; i++)
            {
                string expected = record.Fields[check.Indices[i]];
                if (!getters[i](expected, out string loaded))
                {
                    throw new InvalidDataException(
                        $"file '{path}' line {record.Line}: ML.NET's TextLoader read column '{columns[i].HeaderName}' as {Show(loaded)}, the line holds {Show(expected)}");
                }
            }
        }
        if (scanner.Next() is TsvRecord missed)
            throw new InvalidDataException($"file '{path}' line {missed.Line}: ML.NET's TextLoader stopped after {rows} rows");
    }

    private delegate bool Matches(string expected, out string loaded);

    private static Matches ValueReader(DataViewRowCursor cursor, DataViewSchema.Column column, DataKind kind)
    {
        if (kind == DataKind.String)
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            return (string expected, out string loaded) =>
            {
                get(ref value);
                bool same = value.Span.SequenceEqual(expected);
                loaded = same ? expected : value.ToString();
                return same;
            };
        }
        var getSingle = cursor.GetGetter<float>(column);
        float number = 0;
        return (string expected, out string loaded) =>
        {
            getSingle(ref number);
            loaded = number.ToString("R", CultureInfo.InvariantCulture);
            float want = ParseSingle(expected) ?? float.NaN;
            return float.IsNaN(want) ? float.IsNaN(number) : Math.Abs(number - want) <= 1e-6f * Math.Max(1f, Math.Abs(want));
        };
    }

    private static string Show(string value) =>
        value.Length <= 60 ? $"'{value}'" : $"'{value[..57]}...'";

    /// <summary>A Single field: null when empty (missing), NaN when it is not a finite number.</summary>
    internal static float? ParseSingle(string field)
    {
        if (string.IsNullOrWhiteSpace(field)) return null;
        return float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) ? v : float.NaN;
    }

    /// <summary>One reading of the file (quoting on or off): the header's column indices, row count, and the first problem.</summary>
    private sealed class Check
    {
        private readonly IReadOnlyList<TsvColumn> _columns;
        private readonly long[] _missingNumbers;
        private TsvSkips _skips = new();

        private Check(IReadOnlyList<TsvColumn> columns, bool quoting)
        {
            _columns = columns;
            Quoting = quoting;
            Indices = new int[columns.Count];
            _missingNumbers = new long[columns.Count];
        }

        public bool Quoting { get; }
        public int[] Indices { get; }
        public long Rows { get; private set; }
        public long QuotedFields { get; private set; }
        public Problem? Problem { get; private set; }

        public static Check Run(string path, IReadOnlyList<TsvColumn> columns, bool quoting)
        {
            var check = new Check(columns, quoting);
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            var scanner = new TsvScanner(reader, quoting);
            check._skips = scanner.Skipped;
            try
            {
                check.Scan(scanner);
            }
            catch (TsvFormatException e)
            {
                check.Problem = new Problem(e.Line, e.Message);
            }
            check.QuotedFields = scanner.QuotedFields;
            return check;
        }

        private void Scan(TsvScanner scanner)
        {
            var columns = _columns;
            var header = scanner.Next();
            if (header is null)
            {
                Problem = new Problem(0, "is empty (a header row naming the columns is expected)");
                return;
            }
            var names = header.Fields.Select(n => n.Trim()).ToArray();
            for (int i = 0; i < columns.Count; i++)
            {
                Indices[i] = Array.IndexOf(names, columns[i].HeaderName);
                if (Indices[i] < 0)
                {
                    Problem = new Problem(0, $"has no column '{columns[i].HeaderName}' in its header (columns: {string.Join(", ", names)})");
                    return;
                }
            }
            while (scanner.Next() is TsvRecord record)
            {
                if (record.Fields.Length != names.Length)
                {
                    throw new TsvFormatException(record.Line, $"{record.Fields.Length} fields where the header has {names.Length}");
                }
                for (int i = 0; i < columns.Count; i++)
                {
                    if (columns[i].Kind != DataKind.Single) continue;
                    string field = record.Fields[Indices[i]];
                    float? v = ParseSingle(field);
                    if (v is null) _missingNumbers[i]++;
                    else if (float.IsNaN(v.Value))
                        throw new TsvFormatException(record.Line, $"column '{columns[i].HeaderName}' holds {Show(field)}, not a finite number");
                }
                Rows++;
            }
        }

        /// <summary>What the user should know about rows the loaded data leaves out or reads as missing.</summary>
        public IEnumerable<string> Notes()
        {
            if (_skips.Comments > 0)
            {
                string lines = string.Join(", ", _skips.CommentLines) + (_skips.Comments > _skips.CommentLines.Count ? ", ..." : "");
                yield return $"{Plural.Count(_skips.Comments, "line")} skipped as comments by ML.NET's TextLoader (// at the start of a line, or # before the header): line {lines}";
            }
            if (_skips.Blank > 0) yield return $"{Plural.Count(_skips.Blank, "empty line")} skipped";
            for (int i = 0; i < _missingNumbers.Length; i++)
            {
                if (_missingNumbers[i] > 0)
                    yield return $"{Plural.Count(_missingNumbers[i], "row")} with no value in column '{_columns[i].HeaderName}' (read as missing and left out of training and metrics)";
            }
        }
    }
}
