using System.Text;

namespace MLComponents.Samples.Tsv;

/// <summary>One record of a TSV file: the physical line it starts on and its fields as ML.NET's TextLoader reads them.</summary>
/// <param name="Line">1-based line number of the record's first line.</param>
/// <param name="Fields">The fields (leading spaces dropped; quoted fields unquoted when quoting is on).</param>
public sealed record TsvRecord(long Line, string[] Fields);

/// <summary>A line that cannot be read one way (quoting on or off).</summary>
/// <param name="line">1-based line number.</param>
/// <param name="message">What is wrong, without the file name.</param>
public sealed class TsvFormatException(long line, string message) : Exception(message)
{
    /// <summary>1-based line number.</summary>
    public long Line { get; } = line;
}

/// <summary>
/// Splits a tab-separated file into records exactly as ML.NET 5's TextLoader does with <c>separatorChar: '\t'</c>,
/// <c>hasHeader: true</c>, <c>trimWhitespace: false</c> and allowQuoting + readMultilines both on or both off, but
/// throws <see cref="TsvFormatException"/> with the line where ML.NET would silently read a field as empty.
/// </summary>
/// <remarks>
/// What ML.NET does, and this scanner copies (Microsoft.ML.Data TextLoaderCursor/TextLoaderParser):
/// <list type="bullet">
/// <item>Empty lines and lines starting with <c>//</c> are skipped as comments anywhere; before the header, lines starting
/// with <c>#</c> are too. The first other line is the header. Counted in <see cref="Skipped"/>.</item>
/// <item>Leading spaces of every field are dropped (quoted or not); trailing spaces are kept.</item>
/// <item>Quoting off: every tab ends a field, quotes are text.</item>
/// <item>Quoting on: only a field that starts with a quote (after the spaces) is quoted; <c>""</c> inside is one quote; tabs
/// and line breaks inside belong to the field (read as <c>\n</c>). After the closing quote only spaces may come before the
/// tab or the line's end: ML.NET reads anything else (<c>"A billion..." &gt; Bottom line</c>) as an empty field and only logs
/// "Illegal quoting"; here it is an error. A quote still open at the end of the file is an error too.</item>
/// </list>
/// </remarks>
public sealed class TsvScanner
{
    private readonly TextReader _reader;
    private readonly bool _quoting;
    private readonly StringBuilder _field = new();
    private readonly List<string> _fields = [];
    private long _line;
    private bool _headerRead;

    /// <summary>Scans <paramref name="reader"/> with quoting on or off.</summary>
    public TsvScanner(TextReader reader, bool quoting)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _quoting = quoting;
    }

    /// <summary>Lines ML.NET skips: empty lines, <c>//</c> lines, <c>#</c> lines before the header.</summary>
    public TsvSkips Skipped { get; } = new();

    /// <summary>Fields read as quoted fields so far.</summary>
    public long QuotedFields { get; private set; }

    /// <summary>The next record (the header first), or null at the end of the file.</summary>
    /// <exception cref="TsvFormatException">A quoted field goes on after its closing quote, or never closes.</exception>
    public TsvRecord? Next()
    {
        while (true)
        {
            string? text = _reader.ReadLine();
            if (text is null) return null;
            _line++;
            if (text.Length == 0)
            {
                Skipped.Blank++;
                continue;
            }
            if (text.StartsWith("//", StringComparison.Ordinal) || (!_headerRead && text[0] == '#'))
            {
                Skipped.AddComment(_line);
                continue;
            }
            _headerRead = true;
            long start = _line;
            return new TsvRecord(start, ReadFields(text, start));
        }
    }

    private string[] ReadFields(string text, long start)
    {
        _fields.Clear();
        int i = 0;
        while (true)
        {
            while (i < text.Length && text[i] == ' ') i++;
            if (_quoting && i < text.Length && text[i] == '"')
            {
                QuotedFields++;
                (text, i) = ReadQuoted(text, i, start);
            }
            else
            {
                int from = i;
                while (i < text.Length && text[i] != '\t') i++;
                _fields.Add(text[from..i]);
            }
            if (i >= text.Length) return [.. _fields];
            i++; // the tab; a tab at the end of the line starts one more, empty, field
        }
    }

    /// <summary>Reads a quoted field from its opening quote; returns the line it ends on and the index after it.</summary>
    private (string Text, int Index) ReadQuoted(string text, int open, long start)
    {
        _field.Clear();
        int i = open + 1;
        while (true)
        {
            if (i >= text.Length)
            {
                string? more = _reader.ReadLine() ?? throw new TsvFormatException(start,
                    $"a quoted field (field {_fields.Count + 1}) opens here and never closes (the file ends inside it)");
                _line++;
                _field.Append('\n');
                text = more;
                i = 0;
                continue;
            }
            if (text[i] == '"')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    _field.Append('"');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            _field.Append(text[i++]);
        }
        int close = i - 1;
        if (_line != start) open = 0;
        while (i < text.Length && text[i] == ' ') i++;
        if (i < text.Length && text[i] != '\t')
        {
            string where = _line == start ? "" : $" (the record starts at line {start})";
            throw new TsvFormatException(_line,
                $"field {_fields.Count + 1} starts with a quote and goes on after its closing quote{where}: {Snippet(text, open, close)}");
        }
        _fields.Add(_field.ToString());
        return (text, i);
    }

    /// <summary>The field from its opening quote to a little past its closing quote (long middles elided).</summary>
    private static string Snippet(string text, int open, int close)
    {
        int tab = text.IndexOf('\t', close + 1);
        int end = tab < 0 ? text.Length : tab, to = Math.Min(end, close + 21);
        string head = close - open <= 40 ? text[open..(close + 1)] : text[open..(open + 20)] + "..." + text[(close - 15)..(close + 1)];
        return head + text[(close + 1)..to] + (to < end ? "..." : "");
    }
}

/// <summary>Lines ML.NET's TextLoader skips without a word.</summary>
public sealed class TsvSkips
{
    private readonly List<long> _commentLines = [];

    /// <summary>Empty lines.</summary>
    public long Blank { get; internal set; }

    /// <summary>Lines read as comments (<c>//</c> anywhere, <c>#</c> before the header).</summary>
    public long Comments { get; private set; }

    /// <summary>The first few comment lines' numbers.</summary>
    public IReadOnlyList<long> CommentLines => _commentLines;

    internal void AddComment(long line)
    {
        Comments++;
        if (_commentLines.Count < 5) _commentLines.Add(line);
    }
}
