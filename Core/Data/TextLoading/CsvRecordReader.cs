using System.Text;

namespace MLComponents;

/// <summary>
/// Splits a text stream into records of fields (RFC 4180 when quoting is on): a quoted field may hold
/// separators, doubled quotes ("" for ") and line breaks. Empty lines are skipped. Each record is one
/// string plus field offsets, so text values can be slices of it that stay valid after the cursor moves.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, string filePath, char separator, bool allowQuoting, bool trimWhitespace)
{
    private readonly StringBuilder _sb = new();
    private readonly List<(int Start, int Length)> _fields = [];
    private long _nextLine = 1;

    /// <summary>1-based line on which the current record starts.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The unescaped text of the current record's fields, concatenated.</summary>
    public string Text { get; private set; } = "";

    /// <summary>Field offsets into <see cref="Text"/>.</summary>
    public IReadOnlyList<(int Start, int Length)> Fields => _fields;

    public ReadOnlyMemory<char> Field(int i) => Text.AsMemory(_fields[i].Start, _fields[i].Length);

    public bool Read()
    {
        string? line;
        do
        {
            line = reader.ReadLine();
            if (line is null) return false;
            LineNumber = _nextLine++;
        }
        while (line.Length == 0);

        _fields.Clear();
        if (!allowQuoting || line.IndexOf('"', StringComparison.Ordinal) < 0)
        {
            SplitPlain(line);
            return true;
        }
        _sb.Clear();
        int i = 0;
        while (true)
        {
            int start = _sb.Length;
            int j = i;
            if (trimWhitespace) while (j < line.Length && IsBlank(line[j])) j++;
            if (allowQuoting && j < line.Length && line[j] == '"')
            {
                i = j + 1;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        // A line break inside quotes belongs to the field.
                        var next = reader.ReadLine() ?? throw new TextLoaderException(filePath, LineNumber, null, null, "a quoted field is not closed before the end of the file.");
                        _nextLine++;
                        _sb.Append('\n');
                        line = next;
                        i = 0;
                        continue;
                    }
                    int q = line.IndexOf('"', i);
                    if (q < 0) { _sb.Append(line, i, line.Length - i); i = line.Length; continue; }
                    _sb.Append(line, i, q - i);
                    if (q + 1 < line.Length && line[q + 1] == '"') { _sb.Append('"'); i = q + 2; continue; }
                    i = q + 1;
                    break;
                }
                if (trimWhitespace) while (i < line.Length && IsBlank(line[i])) i++;
                if (i < line.Length && line[i] != separator)
                    throw new TextLoaderException(filePath, LineNumber, null, null, $"unexpected character '{line[i]}' after a closing quote (field {_fields.Count}).");
                _fields.Add((start, _sb.Length - start));
            }
            else
            {
                int end = line.IndexOf(separator, i);
                if (end < 0) end = line.Length;
                int a = i, b = end;
                if (trimWhitespace)
                {
                    while (a < b && IsBlank(line[a])) a++;
                    while (b > a && IsBlank(line[b - 1])) b--;
                }
                _sb.Append(line, a, b - a);
                _fields.Add((start, b - a));
                i = end;
            }
            if (i < line.Length && line[i] == separator) { i++; continue; }
            break;
        }
        Text = _sb.ToString();
        return true;
    }

    // The common case (no quote on the line): fields are slices of the line itself, nothing is copied.
    private void SplitPlain(string line)
    {
        int i = 0;
        while (true)
        {
            int end = line.IndexOf(separator, i);
            if (end < 0) end = line.Length;
            int a = i, b = end;
            if (trimWhitespace)
            {
                while (a < b && IsBlank(line[a])) a++;
                while (b > a && IsBlank(line[b - 1])) b--;
            }
            _fields.Add((a, b - a));
            if (end == line.Length) break;
            i = end + 1;
        }
        Text = line;
    }

    private bool IsBlank(char c) => c != separator && (c == ' ' || c == '\t');
}
