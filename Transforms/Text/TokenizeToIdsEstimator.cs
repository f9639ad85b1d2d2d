using System.Text;
using MLComponents.Text;

namespace MLComponents;

/// <summary>
/// Learns a word vocabulary from a text column and returns the <see cref="TokenizeToIdsTransformer"/> that maps text to
/// ids (created by <c>ml.Transforms.Text.TokenizeToIds</c>).
/// </summary>
public sealed class TokenizeToIdsEstimator : IEstimator<TokenizeToIdsTransformer>
{
    private readonly TokenizeToIdsOptions _options;

    internal TokenizeToIdsEstimator(TokenizeToIdsOptions options) => _options = options;

    /// <summary>Counts the words of every training row and keeps the frequent ones.</summary>
    /// <exception cref="SchemaException">The input column is missing or not text.</exception>
    /// <exception cref="InvalidDataException">A row's text is missing (null).</exception>
    public TokenizeToIdsTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var col = TokenizeToIdsTransformer.RequireText(input.Schema, _options.Input);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var scratch = new StringBuilder();
        void Count(string word) => counts[word] = counts.GetValueOrDefault(word) + 1;
        using (var cursor = input.GetRowCursor([col]))
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(col);
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                get(ref text);
                TokenizeToIdsTransformer.CheckPresent(text, col.Name, cursor.Position);
                WordTokenizer.Split(text.Span, _options.LowerCase, scratch, Count);
            }
        }
        return new TokenizeToIdsTransformer(_options, Vocabulary.Build(counts, _options.MinCount, _options.MaxVocabularySize));
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = inputSchema.GetColumn(_options.Input);
        if (c.Kind != SchemaShape.VectorKind.Scalar || c.ItemType is not TextDataViewType)
            throw new SchemaException($"Column '{_options.Input}' must be text (String), got {c}.", _options.Input);
        return inputSchema.WithColumns(new SchemaShape.Column(_options.Output, SchemaShape.VectorKind.VariableVector, NumberDataViewType.Int32, IsKey: false));
    }
}
