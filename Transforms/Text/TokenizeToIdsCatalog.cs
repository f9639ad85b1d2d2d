using Microsoft.ML;
using Microsoft.ML.Tokenizers;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>Tokenisation to ids on ML.NET's <c>ml.Transforms.Text</c>.</summary>
public static class TokenizeToIdsCatalog
{
    /// <summary>
    /// Splits the text of <paramref name="inputColumnName"/> into words (<see cref="Text.WordTokenizer"/>), learns a vocabulary
    /// from the training data at Fit (reserved ids: pad 0, unknown 1, cls 2, sep 3; words from 4 on, most frequent first) and
    /// outputs each row's ids as a variable-length <see cref="int"/> vector.
    /// </summary>
    /// <remarks>
    /// Truncation keeps the FIRST <paramref name="maxTokens"/> ids of a row (with <paramref name="addClsToken"/>, the CLS id is the
    /// first of them). Words outside the vocabulary map to the unknown id; empty text gives an empty vector (just [cls] with
    /// <paramref name="addClsToken"/>). A null string is read exactly as empty text: ML.NET's text type cannot tell them apart once
    /// loaded (TextLoader and DatabaseLoader give an empty field the value a null string gets), so both give the same ids.
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
        bool addClsToken = false) =>
        TokenizeToIds(catalog, new TokenizeToIdsOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName ?? outputColumnName, MaxTokens = maxTokens, LowerCase = lowerCase,
            MinCount = minCount, MaxVocabularySize = maxVocabularySize, AddClsToken = addClsToken,
        });

    /// <summary>
    /// Splits text with a Microsoft.ML.Tokenizers <paramref name="tokenizer"/> (tiktoken, BPE, WordPiece, SentencePiece...) and
    /// compacts its ids to those seen in training (most frequent first, after the reserved ids; unseen ids map to the unknown
    /// id), so the embedding table holds only the tokens the data uses. Create the tokenizer with <see cref="SavedTokenizer"/>
    /// to save it with the model.
    /// </summary>
    /// <remarks>
    /// The tokenizer reads at most 32 x <paramref name="maxTokens"/> characters of each text (at least 4096), at Fit and Transform:
    /// BPE costs time quadratic in the length of one pre-token (a minute for 256 KB of letters without a space), so a 5 MB line
    /// costs what its first characters cost. Ordinary text needs 3 to 5 characters per token, so its first maxTokens ids are those
    /// of the whole text.
    /// </remarks>
    /// <param name="catalog">The text catalog.</param>
    /// <param name="outputColumnName">The id column produced (vector of Int32, variable length).</param>
    /// <param name="inputColumnName">The text column.</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="maxTokens">Most ids kept per row (&gt; 0).</param>
    /// <param name="minCount">A token needs at least this many occurrences in the training data to get an id (&gt; 0).</param>
    /// <param name="maxVocabularySize">Most tokens kept (reserved ids not counted), most frequent first (&gt; 0).</param>
    /// <param name="addClsToken">Put the CLS id first in every row.</param>
    public static TokenizeToIdsEstimator TokenizeToIds(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string inputColumnName, Tokenizer tokenizer, int maxTokens = 256, int minCount = 1, int maxVocabularySize = 50_000, bool addClsToken = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return TokenizeToIds(catalog, new TokenizeToIdsOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Tokenizer = tokenizer, MaxTokens = maxTokens,
            MinCount = minCount, MaxVocabularySize = maxVocabularySize, AddClsToken = addClsToken,
        });
    }

    /// <summary>TokenizeToIds with every option (a second text column for pairs, a tokenizer, ...).</summary>
    /// <param name="catalog">The text catalog.</param>
    /// <param name="options">The options.</param>
    public static TokenizeToIdsEstimator TokenizeToIds(this TransformsCatalog.TextTransforms catalog, TokenizeToIdsOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizeToIdsEstimator(CatalogEnvironment.Of(catalog), options);
    }
}
