using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.Engine;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>
/// Trains a siamese Transformer encoder for sentence similarity: two token-id columns and a float label in, a
/// <c>Score</c> column out (cosine of the two mean-pooled embeddings mapped affinely from [0, 1] to
/// [LabelMin, LabelMax]). Rows with a NaN label are skipped (counted in <see cref="SentenceSimilarityTransformer.SkippedTrainingRows"/>);
/// options are checked when the trainer is created, each error naming its option; a run that diverged (NaN or infinite weights)
/// throws instead of returning a model that scores NaN.
/// </summary>
public sealed class SentenceSimilarityTrainer : IEstimator<SentenceSimilarityTransformer>
{
    private readonly IHostEnvironment _env;

    internal SentenceSimilarityTrainer(IHostEnvironment env, SentenceSimilarityOptions options)
    {
        _env = env;
        Options = CheckOptions(options);
    }

    /// <summary>The options.</summary>
    public SentenceSimilarityOptions Options { get; }

    /// <inheritdoc />
    public SentenceSimilarityTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>
    /// Trains with a validation set: per-epoch Spearman, early stopping, best epoch kept. The training pairs are read into memory
    /// once, or with <see cref="SentenceSimilarityOptions.StreamingBufferRows"/> streamed from <paramref name="input"/> again every
    /// epoch; the validation set is read into memory.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range, or the sizes it asks for cannot be trained (naming the options).</exception>
    /// <exception cref="InvalidDataException">A row holds a negative token id or an infinite label (naming the column and row).</exception>
    /// <exception cref="InvalidOperationException">No row has a label, or training diverged (the weights are not finite).</exception>
    public SentenceSimilarityTransformer Fit(IDataView input, IDataView? validation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        // In memory (default) or streamed: the same counts either way; a stream's ids and labels are checked by its first pass.
        // One rule for both sides, training and validation: every sentence has to start with the same CLS id.
        var cls = o.Pooling == Pooling.Cls ? new ClsTokenRule() : null;
        PairData? inMemory = null;
        StreamedSentencePairs? streamed = null;
        long rows, truncated, skipped;
        int maxId;
        float labelMin, labelMax;
        if (o.StreamingBufferRows > 0)
        {
            streamed = new StreamedSentencePairs(input, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, o.MaxTokens, o.StreamingBufferRows, "training", cls);
            var scan = streamed.Scan;
            (rows, truncated, skipped, maxId, labelMin, labelMax) = (scan.Rows, scan.Truncated, scan.SkippedMissingLabel, scan.MaxId, scan.LabelMin, scan.LabelMax);
        }
        else
        {
            inMemory = PairColumns.Read(input, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, o.MaxTokens, "training", cls);
            var labels = inMemory.Pairs.Labels;
            (rows, truncated, skipped, maxId) = (labels.Count, inMemory.Truncated, inMemory.SkippedMissingLabel, inMemory.MaxId);
            (labelMin, labelMax) = rows == 0 ? (0f, 0f) : (labels.Min(), labels.Max());
        }
        if (rows == 0)
        {
            throw new InvalidOperationException($"No training rows with a label in column '{o.LabelColumnName}' " +
                $"({skipped} rows with a missing (NaN) label were skipped).");
        }
        PairData? valid = null;
        if (validation is not null)
        {
            valid = PairColumns.Read(validation, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, o.MaxTokens, "validation", cls);
        }
        CheckLabelRange(o.LabelMin ?? labelMin, o.LabelMax ?? labelMax, rows, o);
        var engineOptions = o.ToEngine(CatalogEnvironment.NextSeed(_env, o.Seed));
        if (engineOptions.Vocabulary == 0)
        {
            // A tokenizer upstream declares its vocabulary; sizing the table to it keeps every id it can emit in range.
            int declared = Math.Max(TokenSequenceColumns.DeclaredVocabularySize(SchemaChecks.Require(input.Schema, o.Sentence1ColumnName)),
                TokenSequenceColumns.DeclaredVocabularySize(SchemaChecks.Require(input.Schema, o.Sentence2ColumnName)));
            engineOptions = engineOptions with { Vocabulary = declared };
        }
        long tableRows = engineOptions.Vocabulary > 0 ? engineOptions.Vocabulary : (long)Math.Max(maxId, valid?.MaxId ?? 0) + 1;
        EncoderCapacity.Check(tableRows, o.ModelDimension, o.FeedForwardDimension, o.Layers, o.Heads, o.MaxTokens,
            2 * (int)Math.Min(o.BatchSize, rows), o.Threads, vocabularyOption: nameof(o.Vocabulary));
        EncoderCapacity.CheckScheme(o.PositionEncoding ?? PositionEncoding.Rotary(), o.ModelDimension, o.Heads, o.Layers, o.MaxTokens);
        if (streamed is not null)
        {
            // A stream cannot be scanned by the engine: it takes the table size and label range the first pass found.
            if (maxId >= tableRows)
            {
                throw new InvalidDataException($"Column '{streamed.Scan.MaxIdColumn}': the training rows hold token id {maxId}, outside the vocabulary [0, {tableRows}) " +
                    "(set SentenceSimilarityOptions.Vocabulary, or leave it 0 to size the table from the data).");
            }
            engineOptions = engineOptions with { Vocabulary = (int)tableRows, LabelMin = o.LabelMin ?? labelMin, LabelMax = o.LabelMax ?? labelMax };
        }
        var divergence = new DivergenceCheck();
        var progress = new DivergenceWatch(o.Progress, divergence);
        var trainData = streamed ?? PairTrainingData.InMemory(inMemory!.Pairs);
        var trained = EncoderTrainingBackends.Get(o.Backend, o.Device).FitSiamese(engineOptions, trainData, valid?.Pairs, progress, cancellationToken);
        var model = trained.Model;
        divergence.RequireFinite(model.Parameters, "SentenceSimilarity", o.LearningRate);
        return new SentenceSimilarityTransformer(_env, model.Encoder, model.Pooling, model.Range, o.Sentence1ColumnName, o.Sentence2ColumnName,
            o.ScoreColumnName, truncated, trained.EpochsTrained, trained.BestEpoch, skipped);
    }

    /// <summary>
    /// The score is LabelMin + (LabelMax - LabelMin) cos: the range must be non-empty (one row, or one label value, gives none) and
    /// its width a finite float (labels of +-3e38 overflow it).
    /// </summary>
    private static void CheckLabelRange(float min, float max, long rows, SentenceSimilarityOptions o)
    {
        if (!(max > min))
        {
            throw new ArgumentException($"The label range [{min}, {max}] of column '{o.LabelColumnName}' ({rows} training rows) is empty: " +
                "the score maps cos 0 and 1 to LabelMin and LabelMax; set LabelMin/LabelMax or give pairs with different labels.", nameof(o.LabelMin));
        }
        if (!float.IsFinite(max - min))
        {
            throw new ArgumentException($"The label range [{min}, {max}] of column '{o.LabelColumnName}' is wider than a float holds " +
                "(the score is LabelMin + (LabelMax - LabelMin) x cos); rescale the labels or set LabelMin/LabelMax.", nameof(o.LabelMin));
        }
    }

    private static SentenceSimilarityOptions CheckOptions(SentenceSimilarityOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        static void Fail(string name, object? value, string rule) =>
            throw new ArgumentException($"Option '{name}' must be {rule}, got {value ?? "null"}.", name);
        if (string.IsNullOrEmpty(o.Sentence1ColumnName)) Fail(nameof(o.Sentence1ColumnName), "''", "a column name");
        if (string.IsNullOrEmpty(o.Sentence2ColumnName)) Fail(nameof(o.Sentence2ColumnName), "''", "a column name");
        if (string.IsNullOrEmpty(o.LabelColumnName)) Fail(nameof(o.LabelColumnName), "''", "a column name");
        if (string.IsNullOrEmpty(o.ScoreColumnName)) Fail(nameof(o.ScoreColumnName), "''", "a column name");
        if (o.Layers < 1) Fail(nameof(o.Layers), o.Layers, ">= 1");
        if (o.ModelDimension < 1) Fail(nameof(o.ModelDimension), o.ModelDimension, ">= 1");
        if (o.Heads < 1 || o.ModelDimension % o.Heads != 0) Fail(nameof(o.Heads), o.Heads, $">= 1 and divide ModelDimension ({o.ModelDimension})");
        if (o.FeedForwardDimension < 1) Fail(nameof(o.FeedForwardDimension), o.FeedForwardDimension, ">= 1");
        if (!(o.Dropout >= 0 && o.Dropout < 1)) Fail(nameof(o.Dropout), o.Dropout, "in [0, 1)");
        if (o.MaxTokens < 1) Fail(nameof(o.MaxTokens), o.MaxTokens, ">= 1");
        if (o.Vocabulary < 0) Fail(nameof(o.Vocabulary), o.Vocabulary, ">= 0 (0: from the data)");
        if (o.StreamingBufferRows < 0) Fail(nameof(o.StreamingBufferRows), o.StreamingBufferRows, ">= 0 (0: read the pairs into memory)");
        if (!Enum.IsDefined(o.Pooling)) Fail(nameof(o.Pooling), o.Pooling, "a defined Pooling");
        if (!Enum.IsDefined(o.Loss)) Fail(nameof(o.Loss), o.Loss, "a defined SimilarityLoss");
        if (!(o.CoSentScale > 0) || float.IsInfinity(o.CoSentScale)) Fail(nameof(o.CoSentScale), o.CoSentScale, "a positive finite number");
        if (o.LabelMin is float min && !float.IsFinite(min)) Fail(nameof(o.LabelMin), min, "finite (or null: the smallest training label)");
        if (o.LabelMax is float max && !float.IsFinite(max)) Fail(nameof(o.LabelMax), max, "finite (or null: the largest training label)");
        if (o.LabelMin is float a && o.LabelMax is float b && !(b > a)) Fail(nameof(o.LabelMax), b, $"greater than LabelMin ({a})");
        if (o.Epochs < 1) Fail(nameof(o.Epochs), o.Epochs, ">= 1");
        if (o.BatchSize < 1) Fail(nameof(o.BatchSize), o.BatchSize, ">= 1");
        if (!(o.LearningRate > 0) || double.IsInfinity(o.LearningRate)) Fail(nameof(o.LearningRate), o.LearningRate, "a positive finite number");
        if (!(o.WeightDecay >= 0) || float.IsInfinity(o.WeightDecay)) Fail(nameof(o.WeightDecay), o.WeightDecay, "a finite number >= 0");
        if (!(o.WarmupFraction >= 0 && o.WarmupFraction <= 1)) Fail(nameof(o.WarmupFraction), o.WarmupFraction, "in [0, 1]");
        if (!Enum.IsDefined(o.Schedule)) Fail(nameof(o.Schedule), o.Schedule, "a defined LearningRateDecay");
        if (double.IsNaN(o.ClipNorm)) Fail(nameof(o.ClipNorm), o.ClipNorm, "a number (0 or less: no clipping)");
        if (o.Threads < 1 || o.Threads > EncoderCapacity.MaxThreads) Fail(nameof(o.Threads), o.Threads, $"in [1, {EncoderCapacity.MaxThreads}]");
        if (o.EarlyStoppingPatience < 0) Fail(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, ">= 0");
        if (o.ProgressInterval < 0) Fail(nameof(o.ProgressInterval), o.ProgressInterval, ">= 0");
        if (!Enum.IsDefined(o.Backend)) Fail(nameof(o.Backend), o.Backend, "Managed or TorchSharp");
        if (string.IsNullOrWhiteSpace(o.Device)) Fail(nameof(o.Device), $"'{o.Device}'", "\"cpu\", \"cuda\" or \"cuda:N\"");
        return o;
    }

    /// <summary>Forwards progress to the user's receiver and to the divergence check.</summary>
    private sealed class DivergenceWatch(IProgress<SimilarityTrainingProgress>? target, DivergenceCheck divergence) : IProgress<SimilarityTrainingProgress>
    {
        public void Report(SimilarityTrainingProgress value)
        {
            divergence.Observe(value.Epoch, value.Step, value.Loss);
            target?.Report(value);
        }
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
