using System.Diagnostics;

namespace MLComponents.Engine;

/// <summary>
/// Trains a <see cref="SiameseModel"/> on labelled sentence pairs: length-bucketed batches (bucketed by the longer
/// side), AdamW with warm-up/decay and gradient clipping, progress reports, cancellation between steps, and with
/// validation pairs, early stopping on validation Spearman keeping the best epoch's weights.
/// </summary>
public sealed class SiameseTrainer
{
    /// <summary>Creates a trainer with the given options.</summary>
    public SiameseTrainer(SiameseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The options.</summary>
    public SiameseOptions Options { get; }

    /// <summary>Epochs run by the last Fit.</summary>
    public int EpochsTrained { get; private set; }

    /// <summary>The epoch whose weights the last Fit returned (the last one without validation data).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Trains and returns the model. Sequences must hold 1..MaxTokens ids.</summary>
    public SiameseModel Fit(SentencePairs train, SentencePairs? validation = null,
        IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = Options;
        ArgumentNullException.ThrowIfNull(train);
        CheckOptions(o);
        Validate(train, "training", o.MaxTokens);
        if (validation is not null)
        {
            Validate(validation, "validation", o.MaxTokens);
        }
        if (train.Count == 0)
        {
            throw new ArgumentException("No training pairs.", nameof(train));
        }
        float min = o.LabelMin ?? train.Labels.Min(), max = o.LabelMax ?? train.Labels.Max();
        if (!(max > min))
        {
            throw new ArgumentException($"The label range [{min}, {max}] is empty: set LabelMin/LabelMax or give pairs with different labels.", nameof(train));
        }
        int vocabulary = o.Vocabulary > 0 ? o.Vocabulary : Math.Max(MaxId(train), validation is null ? 0 : MaxId(validation)) + 1;
        CheckIds(train, vocabulary, "training");
        if (validation is not null)
        {
            CheckIds(validation, vocabulary, "validation");
        }
        return Train(PairTrainingData.InMemory(train), new ScoreRange(min, max), vocabulary, validation, progress, cancellationToken);
    }

    /// <summary>
    /// Trains on <paramref name="train"/>, which may stream (read again every epoch, a bounded number of pairs at a time):
    /// then <see cref="SiameseOptions.LabelMin"/>, <see cref="SiameseOptions.LabelMax"/> and
    /// <see cref="EncoderTrainingOptions.Vocabulary"/> must be set (a stream cannot be scanned for them first), and each
    /// streamed chunk is checked as it comes. Pairs held in memory train exactly as
    /// <see cref="Fit(SentencePairs, SentencePairs?, IProgress{SimilarityTrainingProgress}?, CancellationToken)"/>.
    /// </summary>
    public SiameseModel Fit(PairTrainingData train, SentencePairs? validation = null,
        IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.All is { } all)
        {
            return Fit(all, validation, progress, cancellationToken);
        }
        var o = Options;
        CheckOptions(o);
        var (range, vocabulary) = StreamingShape(o, train);
        if (validation is not null)
        {
            Validate(validation, "validation", o.MaxTokens);
            CheckIds(validation, vocabulary, "validation");
        }
        return Train(train, range, vocabulary, validation, progress, cancellationToken);
    }

    /// <summary>The score range and vocabulary of a streamed training set, which the options must give; the other checks of a streamed set.</summary>
    internal static (ScoreRange Range, int Vocabulary) StreamingShape(SiameseOptions o, PairTrainingData train)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("No training pairs.", nameof(train));
        }
        if (o.LabelMin is not float min)
        {
            throw new ArgumentException("Option 'LabelMin' must be set to train on streamed pairs (the label range cannot be scanned first).", "LabelMin");
        }
        if (o.LabelMax is not float max)
        {
            throw new ArgumentException("Option 'LabelMax' must be set to train on streamed pairs (the label range cannot be scanned first).", "LabelMax");
        }
        if (o.Vocabulary < 1)
        {
            throw new ArgumentException($"Option 'Vocabulary' must be set (>= 1) to train on streamed pairs, got {o.Vocabulary}.", "Vocabulary");
        }
        return (new ScoreRange(min, max), o.Vocabulary);
    }

    /// <summary>The checks a streamed chunk of pairs gets as it comes (those pairs held in memory get before training).</summary>
    internal static void CheckChunk(SentencePairs chunk, int vocabulary, int maxTokens)
    {
        Validate(chunk, "streamed training", maxTokens);
        CheckIds(chunk, vocabulary, "streamed training");
    }

    private SiameseModel Train(PairTrainingData train, ScoreRange range, int vocabulary, SentencePairs? validation,
        IProgress<SimilarityTrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var o = Options;
        var config = o.Geometry(vocabulary);
        var model = new SiameseModel(config, o.PositionEncoding ?? PositionEncoding.Rotary(), o.Seed, range, o.Pooling) { Threads = o.Threads };
        int batchSize = (int)Math.Min(o.BatchSize, train.Count);
        model.Plan(batchSize);
        var optimiser = new AdamW(model.Parameters, o.WeightDecay, learningRateScale: p => o.LearningRateScale(p, model.Encoder)) { Threads = o.Threads };
        if (o.SparseEmbeddingUpdate)
        {
            model.SparseEmbeddingGradients = true;
            optimiser.UpdateRowsOnly(model.Encoder.TokenEmbedding, model.Encoder.TokenRows);
        }
        var batches = new PairEpochBatches(train, batchSize, o.MaxTokens, o.BucketBatches);
        int totalSteps = checked(batches.StepsPerEpoch * o.Epochs);
        var schedule = new LearningRateSchedule(o.LearningRate, (int)Math.Round(o.WarmupFraction * totalSteps), totalSteps, o.Schedule);
        Action<SentencePairs>? check = train.All is null ? chunk => CheckChunk(chunk, vocabulary, o.MaxTokens) : null;
        var rng = new Random(o.Seed);
        var best = new ParameterSnapshot();
        double bestSpearman = double.NegativeInfinity;
        int sinceBest = 0;
        long step = 0;
        var meter = new TrainingMeter();
        EpochsTrained = 0;
        BestEpoch = 0;

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            meter.Reset();
            foreach (int index in batches.Epoch(rng, check))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = batches.Batch;
                int n = batches.Pairs;
                model.ZeroGrad();
                model.ForwardPairs(batch.Ids, batch.Lengths, n, batch.Length, training: true, step);
                double loss = model.Loss(batches.Labels, o.Loss, o.CoSentScale);
                model.Backward();
                optimiser.ClipAndUpdate(o.ClipNorm, schedule.Rate(step));
                step++;
                meter.Record(loss, batch.Lengths);
                bool last = index == batches.StepsPerEpoch;
                if (progress is not null && !last && o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                {
                    progress.Report(new SimilarityTrainingProgress(epoch, step, meter.MeanLoss, meter.TokensPerSecond, null, null, false));
                    meter.Reset();
                }
            }
            EpochsTrained = epoch;
            double trainLoss = meter.MeanLoss;
            double tokensPerSecond = meter.TokensPerSecond;
            double? spearman = null, pearson = null;
            bool stop = false;
            if (validation is not null && validation.Count > 0)
            {
                (pearson, spearman) = Evaluate(model, validation, batchSize);
                // NaN (constant scores) never counts as an improvement.
                if (spearman > bestSpearman)
                {
                    bestSpearman = spearman.Value;
                    best.Capture(model.Parameters);
                    BestEpoch = epoch;
                    sinceBest = 0;
                }
                else if (o.EarlyStoppingPatience > 0 && ++sinceBest >= o.EarlyStoppingPatience)
                {
                    stop = true;
                }
            }
            else
            {
                BestEpoch = epoch;
            }
            progress?.Report(new SimilarityTrainingProgress(epoch, step, trainLoss, tokensPerSecond, spearman, pearson, true));
            if (stop)
            {
                break;
            }
        }
        best.Restore(model.Parameters);
        return model;
    }

    /// <summary>Pearson and Spearman correlation of a model's scores with the labels of some pairs.</summary>
    public static (double Pearson, double Spearman) Evaluate(SiameseModel model, SentencePairs pairs, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pairs);
        var scores = new float[pairs.Count];
        model.Predict(pairs.First, pairs.Second, scores, batchSize);
        var y = pairs.Labels.Select(v => (double)v).ToArray();
        var f = scores.Select(v => (double)v).ToArray();
        return (Correlation.Pearson(y, f), Correlation.Pearson(Correlation.Ranks(y), Correlation.Ranks(f)));
    }

    private static int MaxId(SentencePairs pairs)
    {
        int max = 0;
        foreach (var list in new[] { pairs.First, pairs.Second })
        {
            foreach (var s in list)
            {
                foreach (int id in s)
                {
                    max = Math.Max(max, id);
                }
            }
        }
        return max;
    }

    private static void Validate(SentencePairs pairs, string set, int maxTokens)
    {
        if (pairs.First is null || pairs.Second is null || pairs.Labels is null)
        {
            throw new ArgumentException($"The {set} pairs need First, Second and Labels.", nameof(pairs));
        }
        if (pairs.First.Count != pairs.Labels.Count || pairs.Second.Count != pairs.Labels.Count)
        {
            throw new ArgumentException($"The {set} pairs have {pairs.First.Count} first sentences, {pairs.Second.Count} second sentences and {pairs.Labels.Count} labels.", nameof(pairs));
        }
        for (int i = 0; i < pairs.Count; i++)
        {
            foreach (var (s, side) in new[] { (pairs.First[i], "first"), (pairs.Second[i], "second") })
            {
                if (s is null || s.Length == 0 || s.Length > maxTokens)
                {
                    throw new ArgumentException($"The {set} pair at row {i}: the {side} sentence has {s?.Length.ToString() ?? "no"} tokens; expected 1..{maxTokens} (truncate to MaxTokens first).", nameof(pairs));
                }
            }
            if (!float.IsFinite(pairs.Labels[i]))
            {
                throw new ArgumentException($"The {set} pair at row {i} has label {pairs.Labels[i]}; labels must be finite.", nameof(pairs));
            }
        }
    }

    private static void CheckIds(SentencePairs pairs, int vocabulary, string set)
    {
        for (int i = 0; i < pairs.Count; i++)
        {
            foreach (var (s, side) in new[] { (pairs.First[i], "first"), (pairs.Second[i], "second") })
            {
                foreach (int id in s)
                {
                    if ((uint)id >= (uint)vocabulary)
                    {
                        throw new ArgumentException($"The {set} pair at row {i}: the {side} sentence has token id {id}, outside the vocabulary [0, {vocabulary}).", nameof(pairs));
                    }
                }
            }
        }
    }

    private static void CheckOptions(SiameseOptions o) => o.Validate();
}
