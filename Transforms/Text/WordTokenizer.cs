using System.Globalization;
using System.Text;

namespace MLComponents.Text;

/// <summary>
/// Splits text into words: maximal runs of letters, digits and apostrophes inside words, and every other
/// non-space character as a token of its own ("don't stop!" -> don't, stop, !). Optionally lower-cases
/// (invariant culture) so results never depend on the machine's locale.
/// </summary>
public static class WordTokenizer
{
    /// <summary>Calls <paramref name="onToken"/> for each token of <paramref name="text"/>, in order.</summary>
    public static void Split(ReadOnlySpan<char> text, bool lowerCase, StringBuilder scratch, Action<string> onToken)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(onToken);
        scratch.Clear();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsLetterOrDigit(c) || (c == '\'' && scratch.Length > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])))
            {
                scratch.Append(lowerCase ? char.ToLowerInvariant(c) : c);
                continue;
            }
            Flush(scratch, onToken);
            if (!char.IsWhiteSpace(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Control)
                onToken(c.ToString());
        }
        Flush(scratch, onToken);
    }

    /// <summary>The tokens of <paramref name="text"/> as a list.</summary>
    public static List<string> Split(string text, bool lowerCase)
    {
        var list = new List<string>();
        Split(text.AsSpan(), lowerCase, new StringBuilder(), list.Add);
        return list;
    }

    private static void Flush(StringBuilder scratch, Action<string> onToken)
    {
        if (scratch.Length == 0) return;
        onToken(scratch.ToString());
        scratch.Clear();
    }
}
