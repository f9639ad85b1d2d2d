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

    /// <summary>Epochs run by the last <see cref="Fit"/>.</summary>
    public int EpochsTrained { get; private set; }

    /// <summary>The epoch whose weights the last <see cref="Fit"/> returned (the last one without validation data).</summary>
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
        var config = new TransformerConfig
        {
            Vocabulary = vocabulary, ModelDimension = o.ModelDimension, Heads = o.Heads, Layers = o.Layers,
            FeedForwardDimension = o.FeedForwardDimension, MaxTokens = o.MaxTokens, Dropout = o.Dropout,
            RandomizedPositions = o.RandomizedPositions, LogLengthScale = o.LogLengthScale,
        };
        var model = new SiameseModel(config, o.PositionEncoding ?? PositionEncoding.Rotary(), o.Seed, new ScoreRange(min, max), o.Pooling) { Threads = o.Threads };
        int batchSize = Math.Min(o.BatchSize, train.Count);
        model.Plan(batchSize);
        var optimiser = new AdamW(model.Parameters, o.WeightDecay) { Threads = o.Threads };
        if (o.SparseEmbeddingUpdate)
        {
            model.SparseEmbeddingGradients = true;
            optimiser.UpdateRowsOnly(model.Encoder.TokenEmbedding, model.Encoder.TokenRows);
        }
        int stepsPerEpoch = (train.Count + batchSize - 1) / batchSize;
        int totalSteps = stepsPerEpoch * o.Epochs;
        var schedule = new LearningRateSchedule(o.LearningRate, (int)Math.Round(o.WarmupFraction * totalSteps), totalSteps, o.Schedule);
        var batch = new PaddedBatch(2 * batchSize, o.MaxTokens);
        var batchLabels = new float[batchSize];
        var order = new int[train.Count];
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
            var offsets = LengthBuckets.Plan(i => Math.Max(train.First[i].Length, train.Second[i].Length), order, batchSize, o.BucketBatches, rng);
            meter.Reset();
            for (int bi = 0; bi + 1 < offsets.Length; bi++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = offsets[bi], n = offsets[bi + 1] - start;
                batch.FillPairs(train.First, train.Second, start, n, order);
                for (int i = 0; i < n; i++)
                {
                    batchLabels[i] = train.Labels[order[start + i]];
                }
                model.ZeroGrad();
                model.ForwardPairs(batch.Ids, batch.Lengths, n, batch.Length, training: true, step);
                double loss = model.Loss(batchLabels.AsSpan(0, n), o.Loss, o.CoSentScale);
                model.Backward();
                optimiser.ClipAndUpdate(o.ClipNorm, schedule.Rate(step));
                step++;
                meter.Record(loss, batch.Lengths);
                bool last = bi + 2 == offsets.Length;
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
