using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>
/// The raw-text sentence-similarity trainer (<c>ml.Regression.Trainers.SentenceSimilarity(labelColumnName: ...)</c>): Fit learns one
/// vocabulary from both sentence columns, trains the siamese encoder on their ids and returns one ML.NET chain (TokenizeToIds for
/// each side, the similarity model, and a DropColumns of the internal token columns).
/// </summary>
public sealed class SentenceSimilarityTextEstimator : IEstimator<TransformerChain<ITransformer>>
{
    private readonly IHostEnvironment _env;
    private readonly string _sentence1, _sentence2;
    private readonly IDataView? _validation;
    private readonly SentenceSimilarityOptions _options;

    internal SentenceSimilarityTextEstimator(IHostEnvironment env, string sentence1, string sentence2, IDataView? validation, SentenceSimilarityOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(sentence1, "sentence1ColumnName");
        ArgumentException.ThrowIfNullOrEmpty(sentence2, "sentence2ColumnName");
        _env = env;
        _sentence1 = sentence1;
        _sentence2 = sentence2;
        _validation = validation;
        _options = options;
        // Bad options fail here, as they do for the token-level trainer, not after the vocabulary has been learned.
        _ = Trainer("Sentence1Tokens", "Sentence2Tokens");
    }

    /// <inheritdoc />
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (tokens1, tokens2) = TokenColumns(input.Schema.Select(c => c.Name));
        var first = Tokenizer(tokens1).Fit(input, [_sentence1, _sentence2]);
        var second = first.WithColumns(tokens2, _sentence2);
        var tokenize = new TransformerChain<ITransformer>(first, second);
        var similarity = Trainer(tokens1, tokens2).Fit(tokenize.Transform(input), _validation is null ? null : tokenize.Transform(_validation));
        var dropper = MLNetSteps.DropColumns(_env, tokens1, tokens2).Fit(similarity.Transform(tokenize.Transform(input)));
        return new TransformerChain<ITransformer>(first, second, similarity, dropper);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var (tokens1, tokens2) = TokenColumns(inputSchema.Select(c => c.Name));
        var shape = Tokenizer(tokens1).GetOutputSchema(inputSchema);
        shape = TokenizerFor(tokens2, _sentence2).GetOutputSchema(shape);
        shape = Trainer(tokens1, tokens2).GetOutputSchema(shape);
        return MLNetSteps.DropColumns(_env, tokens1, tokens2).GetOutputSchema(shape);
    }

    private static (string, string) TokenColumns(IEnumerable<string> columnNames)
    {
        var names = columnNames.ToHashSet(StringComparer.Ordinal);
        string Free(string stem)
        {
            string name = stem;
            for (int i = 1; names.Contains(name); i++) name = $"{stem}{i}";
            names.Add(name);
            return name;
        }
        return (Free("Sentence1Tokens"), Free("Sentence2Tokens"));
    }

    private TokenizeToIdsEstimator Tokenizer(string output) => TokenizerFor(output, _sentence1);

    private TokenizeToIdsEstimator TokenizerFor(string output, string input) =>
        new(_env, new TokenizeToIdsOptions
        {
            OutputColumnName = output, InputColumnName = input, MaxTokens = _options.MaxTokens,
            AddClsToken = _options.Pooling == Engine.Pooling.Cls, // the position Cls pooling reads
        });

    private SentenceSimilarityTrainer Trainer(string tokens1, string tokens2) =>
        new(_env, _options with { Sentence1ColumnName = tokens1, Sentence2ColumnName = tokens2 });
}
