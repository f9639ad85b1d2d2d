using System.Text;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// Text a production service meets: nothing, only whitespace, one enormous line, text that is not valid UTF-16, and every
/// script at once. (Null is its own case in each test: a null text in a column is read exactly as "", since ML.NET cannot tell
/// them apart once loaded; the APIs that take a .NET string refuse it.)
/// </summary>
public static class HostileText
{
    /// <summary>Only whitespace: ASCII, a no-break space, an em space, an ideographic space, a line separator.</summary>
    public const string Whitespace = " \t\r\n \u00A0\u2003\u3000\u2028 ";

    /// <summary>Lone surrogates (a high one, a low one, and a high one at the very end): invalid UTF-16.</summary>
    public const string LoneSurrogates = "ab\uD800cd \uDC00 x\uD83D";

    /// <summary>
    /// CJK, Arabic, Devanagari, emoji (astral code points, a skin-tone modifier, a flag), and combining marks (café with U+0301).
    /// </summary>
    public const string MixedScripts = "猫が好き مرحبا بالعالم नमस्ते 👍🏽 🇫🇷 cafe\u0301 naïve 𠀋";

    /// <summary>Bytes of <see cref="FiveMegabyteLine"/>.</summary>
    public const int FiveMegabytes = 5 * 1024 * 1024;

    private static readonly Lazy<string> Big = new(() =>
    {
        // 5 MiB of ASCII on one line: 1000 distinct words, cycling, so a vocabulary learned from it has 1000 words.
        var sb = new StringBuilder(FiveMegabytes);
        for (int i = 0; sb.Length < FiveMegabytes; i++) sb.Append('w').Append(i % 1000).Append(' ');
        sb.Length = FiveMegabytes;
        return sb.ToString();
    });

    /// <summary>One line of 5 MiB (5,242,880 ASCII characters, no line break), words "w0".."w999" cycling.</summary>
    public static string FiveMegabyteLine => Big.Value;

    /// <summary>The class names, for data-driven tests (the rows carry names, not 5 MB of text).</summary>
    public static IEnumerable<object[]> Names => [["empty"], ["whitespace"], ["5 MB line"], ["lone surrogates"], ["mixed scripts"]];

    /// <summary>The text of a class.</summary>
    public static string Get(string name) => name switch
    {
        "empty" => "",
        "whitespace" => Whitespace,
        "5 MB line" => FiveMegabyteLine,
        "lone surrogates" => LoneSurrogates,
        "mixed scripts" => MixedScripts,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such class of hostile text"),
    };
}
