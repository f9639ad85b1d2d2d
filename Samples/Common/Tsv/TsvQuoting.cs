namespace MLComponents.Samples.Tsv;

/// <summary>How a TSV file's quotes are read (the samples' <c>--quoting</c> option).</summary>
public enum TsvQuoting
{
    /// <summary>
    /// Per file: quoted fields when every field that starts with a quote is a well-formed quoted field (closed, <c>""</c> for a
    /// quote inside, nothing but spaces after the closing quote) and the rows line up that way; otherwise quotes as plain text
    /// when the rows line up that way; otherwise an error naming a line.
    /// </summary>
    Auto,

    /// <summary>
    /// CSV-style quoted fields, as pandas and Excel write them: a field that starts with a quote ends at the closing quote,
    /// <c>""</c> inside it is one quote, and it may hold tabs and line breaks (ML.NET's allowQuoting and readMultilines).
    /// </summary>
    On,

    /// <summary>Quotes are plain text: every tab ends a field and every line break ends a row (ML.NET's allowQuoting off).</summary>
    Off,
}
