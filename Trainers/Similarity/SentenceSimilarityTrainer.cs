using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.Engine;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>
/// Trains a siamese Transformer encoder for sentence similarity: two token-id columns and a float label in, a
/// <c>Score</c> column out (cosine of the two mean-pooled embeddings mapped affinely from [0, 1] to
/// [LabelMin, LabelMax]).
/// </summary>
public sealed class SentenceSimilarityTrainer : IEstimator<SentenceSimilarityTransformer>
{
    private readonly IHostEnvironment _env;

    internal SentenceSimilarityTrainer(IHostEnvironment env, SentenceSimilarityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Sentence1ColumnName, nameof(options.Sentence1ColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.Sentence2ColumnName, nameof(options.Sentence2ColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.LabelColumnName, nameof(options.LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.ScoreColumnName, nameof(options.ScoreColumnName));
        if (options.MaxTokens < 1)
        {
            throw new ArgumentException($"Option 'MaxTokens' must be positive, got {options.MaxTokens}.", nameof(options));
        }
        _env = env;
        Options = options;
    }

    /// <summary>The options.</summary>
    public SentenceSimilarityOptions Options { get; }

    /// <inheritdoc />
    public SentenceSimilarityTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains with a validation set: per-epoch Spearman, early stopping, best epoch kept.</summary>
    public SentenceSimilarityTransformer Fit(IDataView input, IDataView? validation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        var (train, truncated) = PairColumns.Read(input, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, o.MaxTokens, "training");
        if (train.Count == 0)
        {
            throw new InvalidOperationException($"No training rows with a label in column '{o.LabelColumnName}'.");
        }
        SentencePairs? valid = null;
        if (validation is not null)
        {
            valid = PairColumns.Read(validation, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, o.MaxTokens, "validation").Pairs;
        }
        var engineOptions = o.ToEngine(CatalogEnvironment.NextSeed(_env, o.Seed));
        if (engineOptions.Vocabulary == 0)
        {
            // A tokenizer upstream declares its vocabulary; sizing the table to it keeps every id it can emit in range.
            int declared = Math.Max(TokenSequenceColumns.DeclaredVocabularySize(SchemaChecks.Require(input.Schema, o.Sentence1ColumnName)),
                TokenSequenceColumns.DeclaredVocabularySize(SchemaChecks.Require(input.Schema, o.Sentence2ColumnName)));
            engineOptions = engineOptions with { Vocabulary = declared };
        }
        var trained = EncoderTrainingBackends.Get(o.Backend, o.Device).FitSiamese(engineOptions, train, valid, o.Progress, cancellationToken);
        var model = trained.Model;
        return new SentenceSimilarityTransformer(_env, model.Encoder, model.Pooling, model.Range, o.Sentence1ColumnName, o.Sentence2ColumnName,
            o.ScoreColumnName, truncated, trained.EpochsTrained, trained.BestEpoch);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in new[] { Options.Sentence1ColumnName, Options.Sentence2ColumnName })
        {
            var c = SchemaChecks.Require(inputSchema, name);
            if (c.Kind == SchemaShape.Column.VectorKind.Scalar || c.ItemType.RawType != typeof(int))
            {
                throw SchemaException.WrongType(name, "a vector of Int32 token ids", c.ItemType);
            }
        }
        return SchemaChecks.With(inputSchema, SchemaChecks.Column(Options.ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false));
    }
}
