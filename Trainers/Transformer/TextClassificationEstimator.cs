using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Tokenizers;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>Options of the raw-text classifier: the Transformer classifier's options plus its text columns and tokenisation.</summary>
public sealed class TextClassificationOptions : TransformerClassifierOptions
{
    /// <summary>Text column.</summary>
    public string Sentence1ColumnName { get; set; } = "Sentence1";

    /// <summary>Optional second text column; a pair is classified as one sequence (first [SEP] second).</summary>
    public string? Sentence2ColumnName { get; set; }

    /// <summary>A Microsoft.ML.Tokenizers tokenizer (see <see cref="SavedTokenizer"/>); null learns a word vocabulary.</summary>
    public Tokenizer? Tokenizer { get; set; }

    /// <summary>Most tokens in the learned vocabulary, most frequent first.</summary>
    public int MaxVocabularySize { get; set; } = 50_000;
}

/// <summary>
/// The raw-text classifier (<c>ml.MulticlassClassification.Trainers.TextClassification</c>): Fit learns the vocabulary on the
/// training text, trains the Transformer classifier on the ids and returns one ML.NET chain (TokenizeToIds, the prediction
/// transformer, and a DropColumns of the internal token column), so the saved .zip is plain ML.NET.
/// </summary>
public sealed class TextClassificationEstimator : IEstimator<TransformerChain<ITransformer>>
{
    private readonly IHostEnvironment _env;
    private readonly TextClassificationOptions _options;

    internal TextClassificationEstimator(IHostEnvironment env, TextClassificationOptions options)
    {
        _env = env;
        _options = options;
        ArgumentException.ThrowIfNullOrEmpty(options.Sentence1ColumnName, nameof(options.Sentence1ColumnName));
        // Bad options fail here, as they do for the token-level trainer, not after the vocabulary has been learned.
        if (options.MaxVocabularySize < 1)
            throw new ArgumentException($"Option 'MaxVocabularySize' must be >= 1, got {options.MaxVocabularySize}.", nameof(options.MaxVocabularySize));
        _ = Trainer("Tokens", null);
        _ = Tokenizer([]);
    }

    /// <inheritdoc />
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var tokenize = Tokenizer(input.Schema);
        var tokenizer = tokenize.Fit(input);
        var trainer = Trainer(tokenizer.OutputColumnName, _options.ValidationSet is { } v ? tokenizer.Transform(v) : null);
        var predictor = trainer.Fit(tokenizer.Transform(input));
        var drop = MLNetSteps.DropColumns(_env, tokenizer.OutputColumnName);
        var dropper = drop.Fit(predictor.Transform(tokenizer.Transform(input)));
        return new TransformerChain<ITransformer>(tokenizer, predictor, dropper);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var tokenize = Tokenizer(inputSchema.Select(c => c.Name));
        var shape = Trainer(tokenize.OutputColumnName, null).GetOutputSchema(tokenize.GetOutputSchema(inputSchema));
        return MLNetSteps.DropColumns(_env, tokenize.OutputColumnName).GetOutputSchema(shape);
    }

    private TokenizerStep Tokenizer(DataViewSchema schema) => Tokenizer(schema.Select(c => c.Name));

    private TokenizerStep Tokenizer(IEnumerable<string> columnNames)
    {
        // The token column is internal to the chain: a name no input column has, dropped at the end.
        var names = columnNames.ToHashSet(StringComparer.Ordinal);
        string tokens = "Tokens";
        for (int i = 1; names.Contains(tokens); i++) tokens = $"Tokens{i}";
        var estimator = new TokenizeToIdsEstimator(_env, new TokenizeToIdsOptions
        {
            OutputColumnName = tokens, InputColumnName = _options.Sentence1ColumnName, SecondInputColumnName = _options.Sentence2ColumnName,
            Tokenizer = _options.Tokenizer, MaxTokens = _options.MaxTokens, MaxVocabularySize = _options.MaxVocabularySize,
            AddClsToken = _options.Pooling == Engine.Pooling.Cls, // the position Cls pooling reads
        });
        return new TokenizerStep(tokens, estimator);
    }

    private TransformerClassifierTrainer Trainer(string tokens, IDataView? validation)
    {
        // Every option of the classifier carries over (a field-by-field copy here once dropped the length options).
        return new TransformerClassifierTrainer(_env, _options.CopyFor(tokens, validation));
    }

    private sealed record TokenizerStep(string OutputColumnName, TokenizeToIdsEstimator Estimator)
    {
        public TokenizeToIdsTransformer Fit(IDataView input) => Estimator.Fit(input);

        public SchemaShape GetOutputSchema(SchemaShape input) => Estimator.GetOutputSchema(input);
    }
}
