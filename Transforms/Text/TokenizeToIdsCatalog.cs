namespace MLComponents;

/// <summary>Tokenisation to ids on <c>ml.Transforms.Text</c>.</summary>
public static class TextCatalogExtensions
{
    /// <summary>
    /// Splits the text of <paramref name="inputColumnName"/> into words (<see cref="Text.WordTokenizer"/>), learns a
    /// <see cref="Text.Vocabulary"/> from the training data at Fit (reserved ids: pad 0, unknown 1, cls 2; words from 3 on,
    /// most frequent first) and outputs each row's ids as a variable-length <see cref="int"/> vector.
    /// </summary>
    /// <remarks>
    /// Truncation keeps the FIRST <paramref name="maxTokens"/> ids of a row (with <paramref name="addClsToken"/>, the CLS id
    /// is the first of them, so at most maxTokens - 1 words follow it). Words outside the vocabulary map to the unknown id;
    /// empty text gives an empty vector (just [cls] with <paramref name="addClsToken"/>); a missing value (a null string)
    /// throws <see cref="InvalidDataException"/> naming the column and the row.
    /// </remarks>
    /// <param name="catalog">The text catalog.</param>
    /// <param name="outputColumnName">The id column produced (vector of Int32, variable length).</param>
    /// <param name="inputColumnName">The text column; null means the same as the output.</param>
    /// <param name="maxTokens">Most ids kept per row (&gt; 0).</param>
    /// <param name="lowerCase">Lower-case (invariant culture) before counting and looking up.</param>
    /// <param name="minCount">A word needs at least this many occurrences in the training data to get an id (&gt; 0).</param>
    /// <param name="maxVocabularySize">Most words kept (reserved ids not counted), most frequent first (&gt; 0).</param>
    /// <param name="addClsToken">Put the CLS id first in every row (for models that pool the first position).</param>
    public static TokenizeToIdsEstimator TokenizeToIds(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string? inputColumnName = null, int maxTokens = 256, bool lowerCase = true, int minCount = 1, int maxVocabularySize = 50_000,
        bool addClsToken = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizeToIdsEstimator(new TokenizeToIdsOptions(outputColumnName, inputColumnName ?? outputColumnName, maxTokens,
            lowerCase, minCount, maxVocabularySize, addClsToken));
    }
}
