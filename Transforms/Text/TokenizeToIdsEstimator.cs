using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Tokenizers;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>
/// Learns a vocabulary from one or two text columns and returns the <see cref="TokenizeToIdsTransformer"/> that maps text to
/// ids (created by <c>ml.Transforms.Text.TokenizeToIds</c>).
/// </summary>
public sealed class TokenizeToIdsEstimator : IEstimator<TokenizeToIdsTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly TokenizeToIdsSettings _settings;
    private readonly Tokenizer? _tokenizer;

    internal TokenizeToIdsEstimator(IHostEnvironment env, TokenizeToIdsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _env = env;
        _settings = options.Validate();
        _tokenizer = options.Tokenizer;
    }

    /// <summary>Counts the tokens of every training row and keeps the frequent ones.</summary>
    /// <exception cref="SchemaException">An input column is missing or not text.</exception>
    public TokenizeToIdsTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Fit(input, _settings.SecondInput is { } second ? [_settings.Input, second] : [_settings.Input]);
    }

    /// <summary>
    /// Learns one vocabulary from all of <paramref name="textColumns"/> (e.g. both sides of sentence pairs); the transformer reads
    /// the configured input, and <see cref="TokenizeToIdsTransformer.WithColumns"/> applies it to the others.
    /// </summary>
    internal TokenizeToIdsTransformer Fit(IDataView input, IReadOnlyList<string> textColumns)
    {
        var columns = textColumns.Select(c => TokenizeToIdsTransformer.RequireText(input.Schema, c)).ToList();
        var counter = TokenScheme.CreateCounter(_tokenizer, _settings.LowerCase, _settings.MaxTokens);
        using (var cursor = input.GetRowCursor(columns))
        {
            var getters = columns.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                for (int i = 0; i < getters.Length; i++)
                {
                    getters[i](ref text);
                    counter.Count(text.Span);
                }
            }
        }
        return new TokenizeToIdsTransformer(_env, _settings, counter.Build(_settings.MinCount, _settings.MaxVocabularySize));
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in new[] { _settings.Input, _settings.SecondInput })
        {
            if (name is null) continue;
            var c = SchemaChecks.Require(inputSchema, name);
            if (c.Kind != SchemaShape.Column.VectorKind.Scalar || c.ItemType is not TextDataViewType)
                throw new SchemaException($"Column '{name}' must be text (String), got {c.ItemType}.", name);
        }
        return SchemaChecks.With(inputSchema, SchemaChecks.Column(_settings.Output, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Int32,
            isKey: false, AnnotationKinds.KeyValues));
    }
}
