using System.Text;

namespace MLComponents;

/// <summary>A stored list of strings: strict UTF-8, every item followed by '\n' (so an empty list is an empty entry).</summary>
internal static class StoredText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(IReadOnlyList<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines) sb.Append(line).Append('\n');
        return Strict.GetBytes(sb.ToString());
    }

    public static string[] Decode(byte[] bytes, ComponentLoadContext ctx, string entry)
    {
        string text;
        try
        {
            text = Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw ctx.Fail(entry, $"not valid UTF-8 (byte {e.Index})", e);
        }
        if (text.Length == 0) return [];
        if (text[^1] != '\n') throw ctx.Fail(entry, "the last line is not terminated by '\\n' (truncated?)");
        if (text.Contains('\r')) throw ctx.Fail(entry, "contains a carriage return");
        var lines = text.Split('\n');
        return lines[..^1];
    }
}
