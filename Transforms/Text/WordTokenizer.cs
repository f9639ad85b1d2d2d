using System.Buffers;
using System.Globalization;
using System.Text;

namespace MLComponents.Text;

/// <summary>
/// Splits text into words: maximal runs of letters, digits, combining marks and apostrophes inside words, and every other
/// non-space character as a token of its own ("don't stop!" -> don't, stop, !). Works on Unicode code points, not UTF-16
/// units: a character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph) is one character, and a lone
/// surrogate (text that is not valid UTF-16) reads as U+FFFD, so every token is valid text that saves as UTF-8. Combining
/// marks stay with the word they follow ("café" written with U+0301, Devanagari vowel signs, Arabic harakat). Optionally
/// lower-cases (invariant culture) so results never depend on the machine's locale.
/// </summary>
public static class WordTokenizer
{
    /// <summary>Calls <paramref name="onToken"/> for each token of <paramref name="text"/>, in order.</summary>
    public static void Split(ReadOnlySpan<char> text, bool lowerCase, StringBuilder scratch, Action<string> onToken)
    {
        ArgumentNullException.ThrowIfNull(onToken);
        Split(text, lowerCase, scratch, int.MaxValue, token =>
        {
            onToken(token);
            return true;
        });
    }

    /// <summary>
    /// Calls <paramref name="onToken"/> for each token of <paramref name="text"/>, in order, and stops after
    /// <paramref name="maxTokens"/> tokens or when it returns false, so the time spent on a long text is bounded by the
    /// tokens kept, not by the text's length.
    /// </summary>
    /// <returns>The number of tokens passed to <paramref name="onToken"/>.</returns>
    public static int Split(ReadOnlySpan<char> text, bool lowerCase, StringBuilder scratch, int maxTokens, Func<string, bool> onToken)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(onToken);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        scratch.Clear();
        int count = 0;
        bool Emit(string token)
        {
            count++;
            return onToken(token) && count < maxTokens;
        }
        if (maxTokens == 0) return 0;
        for (int i = 0; i < text.Length;)
        {
            // A lone surrogate decodes as U+FFFD (consuming one unit): the token text stays valid UTF-16.
            Rune.DecodeFromUtf16(text[i..], out var rune, out int units);
            i += units;
            if (Rune.IsLetterOrDigit(rune) || (scratch.Length > 0 && IsMark(rune))
                || (rune.Value == '\'' && scratch.Length > 0 && i < text.Length && Rune.DecodeFromUtf16(text[i..], out var next, out _) == OperationStatus.Done
                    && Rune.IsLetterOrDigit(next)))
            {
                AppendRune(scratch, lowerCase ? Rune.ToLowerInvariant(rune) : rune);
                continue;
            }
            if (scratch.Length > 0 && !Emit(Flush(scratch))) return count;
            if (!Rune.IsWhiteSpace(rune) && Rune.GetUnicodeCategory(rune) != UnicodeCategory.Control && !Emit(rune.ToString())) return count;
        }
        if (scratch.Length > 0) Emit(Flush(scratch));
        return count;
    }

    /// <summary>The tokens of <paramref name="text"/> as a list.</summary>
    public static List<string> Split(string text, bool lowerCase)
    {
        var list = new List<string>();
        Split(text.AsSpan(), lowerCase, new StringBuilder(), list.Add);
        return list;
    }

    private static bool IsMark(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
        or UnicodeCategory.EnclosingMark;

    private static void AppendRune(StringBuilder scratch, Rune rune)
    {
        Span<char> units = stackalloc char[2];
        int n = rune.EncodeToUtf16(units);
        scratch.Append(units[..n]);
    }

    private static string Flush(StringBuilder scratch)
    {
        string token = scratch.ToString();
        scratch.Clear();
        return token;
    }
}
