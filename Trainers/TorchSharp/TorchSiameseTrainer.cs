using MLComponents.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// <see cref="SiameseTrainer"/> on TorchSharp: the same options, checks, initial weights, batches (bucketed by the longer
/// side, both sides in one encoder pass), losses, optimiser, progress, cancellation and early stopping on validation
/// Spearman. Each step runs in its own dispose scope. The result is a managed <see cref="SiameseModel"/>.
/// </summary>
public sealed class TorchSiameseTrainer
{
    /// <summary>Creates a trainer for <paramref name="device"/> ("cpu", "cuda", "cuda:N").</summary>
    public TorchSiameseTrainer(SiameseOptions options, string device = "cpu", DropoutMasks dropoutMasks = DropoutMasks.Torch)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Device = TorchDevices.Resolve(device);
        DropoutMasks = dropoutMasks;
    }

    /// <summary>The options.</summary>
    public SiameseOptions Options { get; }

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>Where dropout masks come from.</summary>
    public DropoutMasks DropoutMasks { get; }

    /// <summary>
    /// Trains and returns the model. <paramref name="initialModel"/> continues training that model (its geometry, scheme,
    /// vocabulary and score range are kept; the given model is not changed).
    /// </summary>
    public TrainedEncoder<SiameseModel> Fit(SentencePairs train, SentencePairs? validation = null,
        IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default, SiameseModel? initialModel = null)
    {
        var o = Options;
        ArgumentNullException.ThrowIfNull(train);
        o.Validate();
        CheckShape(train, "training", o.MaxTokens);
        if (validation is not null)
        {
            CheckShape(validation, "validation", o.MaxTokens);
        }
        if (train.Count == 0)
        {
            throw new ArgumentException("No training pairs.", nameof(train));
        }
        var managed = initialModel is null ? NewModel(o, train, validation) : Copy(initialModel);
        var config = managed.Encoder.Config;
        CheckIds(train, config.Vocabulary, config.MaxTokens, "training");
        if (validation is not null)
        {
            CheckIds(validation, config.Vocabulary, config.MaxTokens, "validation");
        }
        return Train(PairTrainingData.InMemory(train), managed, validation, progress, cancellationToken);
    }

    /// <summary>
    /// Trains on pairs held in memory or streamed (read again every epoch, a bounded number at a time; then the options must
    /// give LabelMin, LabelMax and Vocabulary, and each streamed chunk is checked as it comes), as the managed trainer does.
    /// </summary>
    public TrainedEncoder<SiameseModel> Fit(PairTrainingData train, SentencePairs? validation = null,
        IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default, SiameseModel? initialModel = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.All is { } all)
        {
            return Fit(all, validation, progress, cancellationToken, initialModel);
        }
        var o = Options;
        o.Validate();
        var (range, vocabulary) = SiameseTrainer.StreamingShape(o, train);
        var managed = initialModel is null ? NewModel(o, range, vocabulary) : Copy(initialModel);
        var config = managed.Encoder.Config;
        if (validation is not null)
        {
            CheckShape(validation, "validation", o.MaxTokens);
            CheckIds(validation, config.Vocabulary, config.MaxTokens, "validation");
        }
        return Train(train, managed, validation, progress, cancellationToken);
    }

    private TrainedEncoder<SiameseModel> Train(PairTrainingData train, SiameseModel managed, SentencePairs? validation,
        IProgress<SimilarityTrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var o = Options;
        var config = managed.Encoder.Config;
        using var threads = new TorchThreads(o.Threads);
        using var model = new TorchSiameseModel(managed, Device, DropoutMasks);
        using var optimiser = new TorchOptimiser(model, managed.Parameters, o.WeightDecay, p => o.LearningRateScale(p, managed.Encoder));
        int batchSize = (int)Math.Min(o.BatchSize, train.Count);
        var batches = new PairEpochBatches(train, batchSize, config.MaxTokens, o.BucketBatches);
        int totalSteps = checked(batches.StepsPerEpoch * o.Epochs);
        var schedule = new LearningRateSchedule(o.LearningRate, (int)Math.Round(o.WarmupFraction * totalSteps), totalSteps, o.Schedule);
        Action<SentencePairs>? check = train.All is null
            ? chunk =>
            {
                CheckShape(chunk, "streamed training", config.MaxTokens);
                CheckIds(chunk, config.Vocabulary, config.MaxTokens, "streamed training");
            }
            : null;
        var rng = new Random(o.Seed);
        var best = new ParameterSnapshot();
        double bestSpearman = double.NegativeInfinity;
        int sinceBest = 0, epochsTrained = 0, bestEpoch = 0;
        long step = 0;
        var meter = new TrainingMeter();

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            meter.Reset();
            foreach (int index in batches.Epoch(rng, check))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var padded = batches.Batch;
                int n = batches.Pairs;
                double loss;
                using (NewDisposeScope())
                {
                    optimiser.ZeroGrad();
                    var cos = model.ForwardPairs(model.Batch(padded.Ids, padded.Lengths, 2 * n, padded.Length), training: true, step);
                    var lossTensor = model.Loss(cos, batches.Labels, o.Loss, o.CoSentScale);
                    lossTensor.backward();
                    optimiser.Step(o.ClipNorm, schedule.Rate(step));
                    loss = lossTensor.item<float>();
                }
                step++;
                meter.Record(loss, padded.Lengths);
                bool last = index == batches.StepsPerEpoch;
                if (progress is not null && !last && o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                {
                    progress.Report(new SimilarityTrainingProgress(epoch, step, meter.MeanLoss, meter.TokensPerSecond, null, null, false));
                    meter.Reset();
                }
            }
            epochsTrained = epoch;
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
                    model.CopyTo(managed);
                    best.Capture(managed.Parameters);
                    bestEpoch = epoch;
                    sinceBest = 0;
                }
                else if (o.EarlyStoppingPatience > 0 && ++sinceBest >= o.EarlyStoppingPatience)
                {
                    stop = true;
                }
            }
            else
            {
                bestEpoch = epoch;
            }
            progress?.Report(new SimilarityTrainingProgress(epoch, step, trainLoss, tokensPerSecond, spearman, pearson, true));
            if (stop)
            {
                break;
            }
        }
        model.CopyTo(managed);
        best.Restore(managed.Parameters);
        return new TrainedEncoder<SiameseModel>(managed, epochsTrained, bestEpoch);
    }

    /// <summary>Scores (cosine on the label scale) of pairs with the TorchSharp model, in batches of pairs.</summary>
    public static float[] Predict(TorchSiameseModel model, IReadOnlyList<int[]> first, IReadOnlyList<int[]> second, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
        {
            throw new ArgumentException($"{first.Count} first sentences for {second.Count} second sentences.", nameof(second));
        }
        var scores = new float[first.Count];
        var padded = new PaddedBatch(2 * batchSize, model.Encoder.Config.MaxTokens);
        using var noGrad = no_grad();
        for (int start = 0; start < first.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batchSize, first.Count - start);
            padded.FillPairs(first, second, start, n, null);
            var cos = model.ForwardPairs(model.Batch(padded.Ids, padded.Lengths, 2 * n, padded.Length), training: false).cpu().data<float>().ToArray();
            for (int i = 0; i < n; i++)
            {
                scores[start + i] = model.Range.ToScore(cos[i]);
            }
        }
        return scores;
    }

    /// <summary>Pearson and Spearman correlation of the TorchSharp model's scores with the labels.</summary>
    public static (double Pearson, double Spearman) Evaluate(TorchSiameseModel model, SentencePairs pairs, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var scores = Predict(model, pairs.First, pairs.Second, batchSize).Select(v => (double)v).ToArray();
        var y = pairs.Labels.Select(v => (double)v).ToArray();
        return (Correlations.Pearson(y, scores), Correlations.Spearman(y, scores));
    }

    private static SiameseModel NewModel(SiameseOptions o, SentencePairs train, SentencePairs? validation)
    {
        float min = o.LabelMin ?? train.Labels.Min(), max = o.LabelMax ?? train.Labels.Max();
        if (!(max > min))
        {
            throw new ArgumentException($"The label range [{min}, {max}] is empty: set LabelMin/LabelMax or give pairs with different labels.", nameof(train));
        }
        int vocabulary = o.Vocabulary > 0 ? o.Vocabulary : Math.Max(MaxId(train), validation is null ? 0 : MaxId(validation)) + 1;
        return NewModel(o, new ScoreRange(min, max), vocabulary);
    }

    private static SiameseModel NewModel(SiameseOptions o, ScoreRange range, int vocabulary)
    {
        var config = o.Geometry(vocabulary);
        return new SiameseModel(config, o.PositionEncoding ?? PositionEncoding.Rotary(), o.Seed, range, o.Pooling) { Threads = o.Threads };
    }

    private static SiameseModel Copy(SiameseModel source)
    {
        var e = source.Encoder;
        var copy = new SiameseModel(e.Config, e.PositionEncoding, e.Seed, source.Range, source.Pooling) { Threads = source.Threads };
        for (int i = 0; i < source.Parameters.Count; i++)
        {
            source.Parameters[i].Value.CopyTo(copy.Parameters[i].Value, 0);
        }
        return copy;
    }

    private static int MaxId(SentencePairs pairs) => Math.Max(TrainingInputs.MaxId(pairs.First), TrainingInputs.MaxId(pairs.Second));

    private static void CheckShape(SentencePairs pairs, string set, int maxTokens)
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
                    throw new ArgumentException($"The {set} pair at row {i}: the {side} sentence has {s?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} tokens; expected 1..{maxTokens} (truncate to MaxTokens first).", nameof(pairs));
                }
            }
            if (!float.IsFinite(pairs.Labels[i]))
            {
                throw new ArgumentException($"The {set} pair at row {i} has label {pairs.Labels[i]}; labels must be finite.", nameof(pairs));
            }
        }
    }

    private static void CheckIds(SentencePairs pairs, int vocabulary, int maxTokens, string set)
    {
        for (int i = 0; i < pairs.Count; i++)
        {
            TrainingInputs.CheckSequence(pairs.First[i], vocabulary, maxTokens, $"The {set} pair at row {i}: the first sentence", nameof(pairs));
            TrainingInputs.CheckSequence(pairs.Second[i], vocabulary, maxTokens, $"The {set} pair at row {i}: the second sentence", nameof(pairs));
        }
    }
}
