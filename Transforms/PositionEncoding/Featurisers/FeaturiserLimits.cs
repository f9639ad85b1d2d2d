using System.Globalization;

namespace MLComponents;

/// <summary>
/// The sizes the position featurisers accept. Past them an option is refused when the step is created, and a row is refused
/// (naming the column, the row and its token count) before any work is done, instead of an integer overflow, an allocation
/// the process cannot survive, or minutes spent writing one row.
/// </summary>
public static class FeaturiserLimits
{
    /// <summary>Largest vector dimension D of EmbedTokens, Encodings and Rotations (and 64 x heads of RelativeBias).</summary>
    public const int MaxDimension = 65_536;

    /// <summary>Most heads of RelativeBias.</summary>
    public const int MaxHeads = MaxDimension / 64;

    /// <summary>
    /// Most values one row may hold (2^28 floats, 1 GiB): RelativeBias writes H x T x T values and RelativeEncodings T x T x d',
    /// so a row of T ids past a few thousand is refused; truncate the token column (TokenizeToIds' maxTokens) instead.
    /// </summary>
    public const int MaxValuesPerRow = 1 << 28;

    /// <summary>Throws when a row of <paramref name="length"/> ids would need more than <see cref="MaxValuesPerRow"/> values.</summary>
    internal static void CheckRow(long values, int length, string what)
    {
        if (values > MaxValuesPerRow)
        {
            string size = string.Create(CultureInfo.InvariantCulture, $"{what} of {length} tokens is {values:N0} values, more than the {MaxValuesPerRow:N0}");
            throw new ArgumentException($"{size} a featuriser writes for one row; truncate the token column (TokenizeToIds' maxTokens).", nameof(length));
        }
    }
}
