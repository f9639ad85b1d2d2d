using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.Engine;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>
/// Trains a Transformer encoder text classifier (ML.NET's <c>TextClassificationTrainer</c> in shape, in managed code): key label
/// and token ids in; the fitted <see cref="MulticlassPredictionTransformer{TModel}"/> adds <c>Score</c> and <c>PredictedLabel</c>.
/// Create it with <c>ml.MulticlassClassification.Trainers.Transformer(options)</c>.
/// </summary>
/// <remarks>
/// Fit reads the training (and validation) rows into memory once: rows with a missing label (key 0) are skipped (counted in
/// <see cref="TransformerClassifierModelParameters.SkippedTrainingRows"/>),
/// sequences longer than MaxTokens are truncated (counted in progress reports and on the model), empty sequences
/// become the single padding id 0. Training itself is <see cref="SequenceClassifierTrainer"/>: length-bucketed
/// batches, AdamW with warm-up and decay, clipping, and optional validation with early stopping that keeps the
/// best epoch's weights. Options are checked before any data is read (each error names its option), sizes before the model is
/// built (<see cref="EncoderCapacity"/>), and the trained weights after training: a run that diverged (NaN or infinite weights)
/// throws <see cref="InvalidOperationException"/> instead of returning a model that scores NaN.
/// </remarks>
public sealed class TransformerClassifierTrainer : MulticlassComponentTrainer<TransformerClassifierModelParameters>
{
    internal TransformerClassifierTrainer(IHostEnvironment env, TransformerClassifierOptions options)
        : base(env, "TransformerClassifier", CheckOptions(options).LabelColumnName,
            SchemaChecks.Column(options.FeatureColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Int32, isKey: false),
            options.ScoreColumnName, options.PredictedLabelColumnName)
    {
        Options = options;
    }

    /// <summary>The options (read at Fit time).</summary>
    public TransformerClassifierOptions Options { get; }

    /// <inheritdoc />
    protected override TransformerClassifierModelParameters Train(TrainingInput input)
    {
        var o = CheckOptions(Options);
        var (label, labelType) = TokenSequenceColumns.RequireLabel(input.Data.Schema, input.LabelColumn.Name);
        var tokens = TokenSequenceColumns.RequireTokens(input.Data.Schema, input.FeatureColumn.Name);
        int classes = checked((int)labelType.Count);
        if (o.ClassWeights is { } cw && cw.Length != classes)
            throw new ArgumentException($"Option 'ClassWeights' has {cw.Length} entries but column '{label.Name}' has {classes} classes.", nameof(o.ClassWeights));

        // In memory (default) or streamed: the same counts either way; a stream's ids are checked by its first pass.
        // One rule for the training and the validation rows: both have to start with the same CLS id.
        var cls = o.Pooling == Pooling.Cls ? new ClsTokenRule() : null;
        TokenSequenceColumns.Labelled? inMemory = null;
        StreamedTokenSequences? streamed = null;
        long rows, truncatedRows, skippedRows;
        int maxId;
        if (o.StreamingBufferRows > 0)
        {
            streamed = new StreamedTokenSequences(input.Data, label, tokens, o.MaxTokens, o.StreamingBufferRows, "training", cls);
            (rows, truncatedRows, skippedRows, maxId) = (streamed.Count, streamed.Scan.Truncated, streamed.Scan.SkippedMissingLabel, streamed.Scan.MaxId);
        }
        else
        {
            inMemory = TokenSequenceColumns.Read(input.Data, label, tokens, o.MaxTokens, "training", cls);
            (rows, truncatedRows, skippedRows, maxId) = (inMemory.Sequences.Count, inMemory.Truncated, inMemory.SkippedMissingLabel, inMemory.MaxId);
        }
        if (rows == 0)
            throw new InvalidOperationException($"No training rows with a label in column '{label.Name}' (empty data, or only missing labels).");
        TokenSequenceColumns.Labelled? valid = null;
        if ((input.Validation ?? o.ValidationSet) is { } vs)
        {
            var (vLabel, vType) = TokenSequenceColumns.RequireLabel(vs.Schema, label.Name);
            if (vType.Count != labelType.Count)
                throw new SchemaException($"Column '{vLabel.Name}' of the validation set is a key of {vType.Count} values; the training label has {labelType.Count}. " +
                    "Transform the validation set with the same fitted steps as the training data.", vLabel.Name);
            valid = TokenSequenceColumns.Read(vs, vLabel, TokenSequenceColumns.RequireTokens(vs.Schema, tokens.Name), o.MaxTokens, "validation", cls);
            if (valid.Sequences.Count == 0) valid = null;
        }

        int seed = CatalogEnvironment.NextSeed(Environment, o.Seed);
        var allRows = inMemory; // before any rows are held out: what a refit trains on
        bool heldOut = false;
        if (valid is null && o.ValidationFraction > 0)
        {
            // No validation set: a seeded slice of the training rows picks the best epoch and stops early.
            var ordinals = TokenSequenceColumns.HoldOut(rows, o.ValidationFraction, MaxHeldOutRows, MinRowsToHoldOut, seed);
            if (ordinals.Count > 0)
            {
                if (streamed is not null)
                {
                    valid = streamed.HoldOut(ordinals);
                    rows = streamed.Count;
                }
                else
                {
                    (inMemory, valid) = TokenSequenceColumns.Split(inMemory!, ordinals);
                    rows = inMemory.Sequences.Count;
                }
                heldOut = true;
            }
        }

        long tableRows = o.VocabularySize > 0 ? o.VocabularySize : TokenSequenceColumns.DeclaredVocabularySize(tokens);
        if (tableRows == 0) tableRows = (long)Math.Max(maxId, valid?.MaxId ?? 0) + 1;
        int feedForward = o.FeedForwardDimension > 0 ? o.FeedForwardDimension : (int)Math.Min(int.MaxValue, 4L * o.ModelDimension);
        int threads = o.Threads > 0 ? o.Threads : System.Environment.ProcessorCount;
        EncoderCapacity.Check(tableRows, o.ModelDimension, feedForward, o.Layers, o.Heads, o.MaxTokens, (int)Math.Min(o.BatchSize, rows), threads, classes);
        EncoderCapacity.CheckScheme(o.PositionEncoding, o.ModelDimension, o.Heads, o.Layers, o.MaxTokens);
        int vocabulary = (int)tableRows;
        if (inMemory is not null) CheckIds(inMemory, vocabulary, tokens.Name, "training");
        else if (maxId >= vocabulary)
            throw new InvalidDataException($"Column '{tokens.Name}': the training rows hold token id {maxId}, outside the vocabulary [0, {vocabulary}) " +
                "(set TransformerClassifierOptions.VocabularySize, or leave it 0 to size the table from the data).");
        if (valid is not null) CheckIds(valid, vocabulary, tokens.Name, "validation");

        var engineOptions = new SequenceClassifierOptions
        {
            Layers = o.Layers, ModelDimension = o.ModelDimension, Heads = o.Heads,
            FeedForwardDimension = feedForward,
            Dropout = o.Dropout, MaxTokens = o.MaxTokens, Vocabulary = vocabulary, Classes = classes,
            PositionEncoding = o.PositionEncoding, Pooling = o.Pooling,
            RandomizedPositions = o.RandomizedPositions, LogLengthScale = o.LogLengthScale, LogLengthScaleBiases = o.LogLengthScaleBiases, Epochs = o.Epochs, BatchSize = o.BatchSize,
            LearningRate = o.LearningRate, WeightDecay = o.WeightDecay, WarmupFraction = o.WarmupFraction, Schedule = o.Schedule,
            EmbeddingLearningRateScale = o.EmbeddingLearningRateScale, EmbeddingMeanPull = o.ResolvedEmbeddingMeanPull, EmbeddingMeanPullStart = o.EmbeddingMeanPullStart, ClipNorm = o.GradientClipNorm, LabelSmoothing = o.LabelSmoothing, ClassWeights = o.ClassWeights,
            Seed = seed, Threads = threads,
            EarlyStoppingPatience = o.EarlyStoppingPatience, ProgressInterval = o.ProgressInterval, BucketBatches = o.BucketBatches,
        };
        long batch = Math.Min(o.BatchSize, rows);
        long totalSteps = (rows + batch - 1) / batch * o.Epochs;
        var history = new EpochHistory(o.Progress, totalSteps, truncatedRows, new BestEpochRule(valid?.Sequences.Count ?? 0, o.EarlyStoppingPatience));
        var trainData = streamed ?? ClassifierTrainingData.InMemory(inMemory!.Sequences, inMemory.Labels);
        var backend = EncoderTrainingBackends.Get(o.Backend, o.Device);
        var trained = backend.FitClassifier(engineOptions, trainData, valid?.Sequences, valid?.Labels, history, o.CancellationToken);
        history.Divergence.RequireFinite(trained.Model.Parameters, "TransformerClassifier", o.LearningRate);
        bool refit = o.RefitOnAllRows && heldOut && streamed is null && history.BestEpoch > 0
            && valid!.Sequences.Count >= MinHeldOutShareToRefit * allRows!.Sequences.Count;
        if (refit)
        {
            // The held-out rows chose the epoch count; now every row trains, from the same seed (so the same initial weights).
            long allBatch = Math.Min(o.BatchSize, allRows!.Sequences.Count);
            var refitHistory = new EpochHistory(o.Progress, (allRows.Sequences.Count + allBatch - 1) / allBatch * history.BestEpoch, truncatedRows, new BestEpochRule(0, 0));
            trained = backend.FitClassifier(engineOptions with { Epochs = history.BestEpoch, EarlyStoppingPatience = 0 },
                ClassifierTrainingData.InMemory(allRows.Sequences, allRows.Labels), null, null, refitHistory, o.CancellationToken);
            refitHistory.Divergence.RequireFinite(trained.Model.Parameters, "TransformerClassifier", o.LearningRate);
        }
        return new TransformerClassifierModelParameters(Environment, trained.Model, tokens.Name, truncatedRows, history.Epochs,
            valid is null ? 0 : history.BestEpoch, skippedRows, refit);
    }

    /// <summary>
    /// Least share of all rows the held-out slice must be for <see cref="TransformerClassifierOptions.RefitOnAllRows"/> to
    /// train again (5 %: up to 200,000 rows at the default fraction, past which the cap of <see cref="MaxHeldOutRows"/> makes
    /// the slice too small a share to be worth a second run).
    /// </summary>
    public const double MinHeldOutShareToRefit = 0.05;

    /// <summary>Most rows held out by <see cref="TransformerClassifierOptions.ValidationFraction"/>.</summary>
    public const int MaxHeldOutRows = 10_000;

    /// <summary>Fewest training rows from which <see cref="TransformerClassifierOptions.ValidationFraction"/> holds any out.</summary>
    public const int MinRowsToHoldOut = 50;

    private static void CheckIds(TokenSequenceColumns.Labelled data, int vocabulary, string column, string set)
    {
        if (data.MaxId < vocabulary) return;
        for (int r = 0; r < data.Sequences.Count; r++)
        {
            foreach (int id in data.Sequences[r])
            {
                if (id >= vocabulary)
                    throw new InvalidDataException($"Column '{column}', {set} sequence {r}: token id {id} is outside the vocabulary [0, {vocabulary}) " +
                        "(set TransformerClassifierOptions.VocabularySize, or leave it 0 to size the table from the data).");
            }
        }
    }

    private static TransformerClassifierOptions CheckOptions(TransformerClassifierOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        static void Fail(string name, object value, string rule) =>
            throw new ArgumentException($"Option '{name}' must be {rule}, got {value}.", name);
        if (string.IsNullOrEmpty(o.LabelColumnName)) Fail(nameof(o.LabelColumnName), "''", "a column name");
        if (string.IsNullOrEmpty(o.FeatureColumnName)) Fail(nameof(o.FeatureColumnName), "''", "a column name");
        if (string.IsNullOrEmpty(o.ScoreColumnName)) Fail(nameof(o.ScoreColumnName), "''", "a column name");
        if (string.IsNullOrEmpty(o.PredictedLabelColumnName)) Fail(nameof(o.PredictedLabelColumnName), "''", "a column name");
        if (o.Layers < 1) Fail(nameof(o.Layers), o.Layers, ">= 1");
        if (o.ModelDimension < 1) Fail(nameof(o.ModelDimension), o.ModelDimension, ">= 1");
        if (o.Heads < 1 || o.ModelDimension % o.Heads != 0) Fail(nameof(o.Heads), o.Heads, $">= 1 and divide ModelDimension ({o.ModelDimension})");
        if (o.FeedForwardDimension < 0) Fail(nameof(o.FeedForwardDimension), o.FeedForwardDimension, ">= 0 (0: 4 x ModelDimension)");
        if (!(o.Dropout >= 0 && o.Dropout < 1)) Fail(nameof(o.Dropout), o.Dropout, "in [0, 1)");
        if (o.MaxTokens < 1) Fail(nameof(o.MaxTokens), o.MaxTokens, ">= 1");
        if (o.RandomizedPositions < 0) Fail(nameof(o.RandomizedPositions), o.RandomizedPositions, "0 (off) or a position count L > 0");
        if (o.LogLengthScale < 0 || o.LogLengthScale == 1) Fail(nameof(o.LogLengthScale), o.LogLengthScale, "0 (off) or a reference length >= 2");
        if (o.LogLengthScaleBiases && o.LogLengthScale == 0)
            Fail(nameof(o.LogLengthScaleBiases), "true", "false unless LogLengthScale is on (>= 2): it says what the log-length factor multiplies");
        if (o.VocabularySize < 0) Fail(nameof(o.VocabularySize), o.VocabularySize, ">= 0 (0: from the data)");
        if (o.PositionEncoding is null) Fail(nameof(o.PositionEncoding), "null", "a scheme (PositionEncoding.None() for none)");
        if (o.Epochs < 1) Fail(nameof(o.Epochs), o.Epochs, ">= 1");
        if (o.BatchSize < 1) Fail(nameof(o.BatchSize), o.BatchSize, ">= 1");
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1)) Fail(nameof(o.ValidationFraction), o.ValidationFraction, "in [0, 1)");
        if (o.StreamingBufferRows < 0) Fail(nameof(o.StreamingBufferRows), o.StreamingBufferRows, ">= 0 (0: read the rows into memory)");
        if (!(o.LearningRate > 0) || float.IsInfinity(o.LearningRate)) Fail(nameof(o.LearningRate), o.LearningRate, "a positive finite number");
        if (!(o.WeightDecay >= 0) || float.IsInfinity(o.WeightDecay)) Fail(nameof(o.WeightDecay), o.WeightDecay, "a finite number >= 0");
        if (!(o.WarmupFraction >= 0 && o.WarmupFraction <= 1)) Fail(nameof(o.WarmupFraction), o.WarmupFraction, "in [0, 1]");
        if (!(o.EmbeddingLearningRateScale > 0) || float.IsInfinity(o.EmbeddingLearningRateScale)) Fail(nameof(o.EmbeddingLearningRateScale), o.EmbeddingLearningRateScale, "> 0 and finite");
        float pull = o.ResolvedEmbeddingMeanPull;
        if (!(pull >= 0) || !(pull * o.LearningRate < 1))
            Fail(nameof(o.EmbeddingMeanPull), pull, $"0 (off) or > 0 with LearningRate x it below 1 (LearningRate {o.LearningRate}" +
                (o.EmbeddingMeanPull is null ? $"; the value is the default for {o.PositionEncoding?.Kind ?? "rope"}, set the option to choose another)" : ")"));
        if (!(o.EmbeddingMeanPullStart >= 0 && o.EmbeddingMeanPullStart < 1)) Fail(nameof(o.EmbeddingMeanPullStart), o.EmbeddingMeanPullStart, "in [0, 1)");
        if (!(o.GradientClipNorm >= 0)) Fail(nameof(o.GradientClipNorm), o.GradientClipNorm, ">= 0");
        if (!(o.LabelSmoothing >= 0 && o.LabelSmoothing < 1)) Fail(nameof(o.LabelSmoothing), o.LabelSmoothing, "in [0, 1)");
        if (o.Threads < 0 || o.Threads > EncoderCapacity.MaxThreads) Fail(nameof(o.Threads), o.Threads, $"in [0, {EncoderCapacity.MaxThreads}] (0: all cores)");
        if (!Enum.IsDefined(o.Pooling)) Fail(nameof(o.Pooling), o.Pooling, "a defined Pooling");
        if (!Enum.IsDefined(o.Schedule)) Fail(nameof(o.Schedule), o.Schedule, "a defined LearningRateDecay");
        if (o.ClassWeights is { } weights)
        {
            // A NaN, infinite or negative weight makes the loss NaN or rewards wrong answers; all zeros makes it 0/0.
            int bad = Array.FindIndex(weights, w => !(w >= 0) || float.IsInfinity(w));
            if (bad >= 0) Fail($"{nameof(o.ClassWeights)}[{bad}]", weights[bad], "a finite number >= 0");
            if (weights.Length > 0 && weights.All(w => w == 0)) Fail(nameof(o.ClassWeights), "all zeros", "positive for at least one class");
        }
        if (o.EarlyStoppingPatience < 0) Fail(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, ">= 0");
        if (o.ProgressInterval < 0) Fail(nameof(o.ProgressInterval), o.ProgressInterval, ">= 0");
        if (o.BucketBatches < 1) Fail(nameof(o.BucketBatches), o.BucketBatches, ">= 1");
        if (!Enum.IsDefined(o.Backend)) Fail(nameof(o.Backend), o.Backend, "Managed or TorchSharp");
        if (string.IsNullOrWhiteSpace(o.Device)) Fail(nameof(o.Device), $"'{o.Device}'", "\"cpu\", \"cuda\" or \"cuda:N\"");
        return o;
    }

    /// <summary>Forwards engine reports as <see cref="TrainingProgress"/> and follows the kept epoch (<see cref="BestEpochRule"/>, the engine's rule).</summary>
    private sealed class EpochHistory(IProgress<TrainingProgress>? target, long totalSteps, long truncated, BestEpochRule rule) : IProgress<Engine.TrainingProgress>
    {
        public int Epochs { get; private set; }

        public int BestEpoch => rule.KeptEpoch;

        public DivergenceCheck Divergence { get; } = new();

        public void Report(Engine.TrainingProgress value)
        {
            Divergence.Observe(value.Epoch, value.Step, value.Loss);
            if (value.EpochEnd)
            {
                Epochs = value.Epoch;
                if (value.ValidationAccuracy is double a) rule.Observe(value.Epoch, a);
            }
            target?.Report(new TrainingProgress(value.Epoch, value.Step, totalSteps, value.Loss, value.TokensPerSecond,
                value.ValidationAccuracy, value.ValidationLogLoss, value.EpochEnd, truncated));
        }
    }
}
