using MLComponents.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// <see cref="SequenceClassifierTrainer"/> on TorchSharp: the same options, checks, initial weights (the managed model
/// of the same seed), length-bucketed batch order, AdamW groups, warm-up and decay, clipping, progress reports,
/// cancellation between steps and early stopping that keeps the best epoch. Each step runs in its own dispose scope
/// (native memory stays flat); libtorch uses <see cref="EncoderTrainingOptions.Threads"/> threads. The result is a
/// managed <see cref="SequenceClassifier"/> holding the trained weights.
/// </summary>
public sealed class TorchClassifierTrainer
{
    /// <summary>Creates a trainer for <paramref name="device"/> ("cpu", "cuda", "cuda:N").</summary>
    public TorchClassifierTrainer(SequenceClassifierOptions options, string device = "cpu", DropoutMasks dropoutMasks = DropoutMasks.Torch)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Device = TorchDevices.Resolve(device);
        DropoutMasks = dropoutMasks;
    }

    /// <summary>The options.</summary>
    public SequenceClassifierOptions Options { get; }

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>Where dropout masks come from.</summary>
    public DropoutMasks DropoutMasks { get; }

    /// <summary>
    /// Trains and returns the model. <paramref name="initialModel"/> continues training that model (its geometry,
    /// scheme, classes, vocabulary and dropout are kept and the options' geometry is not used; the given model is not
    /// changed). Validation data (both or neither) enables per-epoch metrics and early stopping on accuracy (ties:
    /// lower log-loss).
    /// </summary>
    public TrainedEncoder<SequenceClassifier> Fit(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels,
        IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, SequenceClassifier? initialModel = null)
    {
        var o = Options;
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        if (sequences.Count == 0)
        {
            throw new ArgumentException("No training examples.", nameof(sequences));
        }
        if (labels.Count != sequences.Count)
        {
            throw new ArgumentException($"{labels.Count} labels for {sequences.Count} sequences.", nameof(labels));
        }
        if ((validationSequences is null) != (validationLabels is null) || (validationSequences is not null && validationSequences.Count != validationLabels!.Count))
        {
            throw new ArgumentException("Validation sequences and labels must both be given, with equal counts.", nameof(validationLabels));
        }
        o.Validate();
        var managed = initialModel is null ? NewModel(o, sequences, labels, validationSequences) : Copy(initialModel);
        var config = managed.Encoder.Config;
        TrainingInputs.CheckLabelled(sequences, labels, managed.Classes, config.Vocabulary, config.MaxTokens, "training");
        if (validationSequences is not null)
        {
            TrainingInputs.CheckLabelled(validationSequences, validationLabels!, managed.Classes, config.Vocabulary, config.MaxTokens, "validation");
        }
        if (o.ClassWeights is { } cw && cw.Length != managed.Classes)
        {
            throw new ArgumentException($"Option 'ClassWeights' has {cw.Length} entries for {managed.Classes} classes.", nameof(o.ClassWeights));
        }

        return Train(ClassifierTrainingData.InMemory(sequences, labels), managed, validationSequences, validationLabels, progress, cancellationToken);
    }

    /// <summary>
    /// Trains on examples held in memory or streamed (read again every epoch, a bounded number at a time; then the options
    /// must give Classes and Vocabulary, and each streamed chunk is checked as it comes), as the managed trainer does.
    /// </summary>
    public TrainedEncoder<SequenceClassifier> Fit(ClassifierTrainingData train, IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, SequenceClassifier? initialModel = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.All is { } all)
        {
            return Fit(all.Sequences, all.Labels, validationSequences, validationLabels, progress, cancellationToken, initialModel);
        }
        var o = Options;
        o.Validate();
        var (classes, vocabulary) = SequenceClassifierTrainer.StreamingShape(o, train, validationSequences, validationLabels);
        var managed = initialModel is null ? NewModel(o, classes, vocabulary) : Copy(initialModel);
        var config = managed.Encoder.Config;
        if (validationSequences is not null)
        {
            TrainingInputs.CheckLabelled(validationSequences, validationLabels!, managed.Classes, config.Vocabulary, config.MaxTokens, "validation");
        }
        if (o.ClassWeights is { } cw && cw.Length != managed.Classes)
        {
            throw new ArgumentException($"Option 'ClassWeights' has {cw.Length} entries for {managed.Classes} classes.", nameof(o.ClassWeights));
        }
        return Train(train, managed, validationSequences, validationLabels, progress, cancellationToken);
    }

    private TrainedEncoder<SequenceClassifier> Train(ClassifierTrainingData train, SequenceClassifier managed, IReadOnlyList<int[]>? validationSequences,
        IReadOnlyList<int>? validationLabels, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var o = Options;
        var config = managed.Encoder.Config;
        using var threads = new TorchThreads(o.Threads);
        using var model = new TorchSequenceClassifier(managed, Device, DropoutMasks);
        int batchSize = (int)Math.Min(o.BatchSize, train.Count);
        var batches = new EpochBatches(train, batchSize, config.MaxTokens, o.BucketBatches);
        int totalSteps = checked(batches.StepsPerEpoch * o.Epochs);
        using var optimiser = new TorchOptimiser(model, managed.Parameters, o.WeightDecay, p => o.LearningRateScale(p, managed.Encoder), o.MeanPullOf(managed.Encoder, totalSteps));
        var schedule = new LearningRateSchedule(o.LearningRate, (int)Math.Round(o.WarmupFraction * totalSteps), totalSteps, o.Schedule);
        Action<LabelledChunk>? check = train.All is null
            ? chunk => TrainingInputs.CheckLabelled(chunk.Sequences, chunk.Labels, managed.Classes, config.Vocabulary, config.MaxTokens, "streamed training")
            : null;
        var rng = new Random(o.Seed);
        var best = new ParameterSnapshot();
        var rule = new BestEpochRule(validationSequences?.Count ?? 0, o.EarlyStoppingPatience);
        int epochsTrained = 0, bestEpoch = 0;
        long step = 0;
        var meter = new TrainingMeter();

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            meter.Reset();
            foreach (int index in batches.Epoch(rng, check))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var padded = batches.Batch;
                int n = padded.Count;
                double loss;
                using (NewDisposeScope())
                {
                    optimiser.ZeroGrad();
                    var logits = model.Forward(model.Batch(padded.Ids, padded.Lengths, n, padded.Length), training: true, step);
                    var lossTensor = model.Loss(logits, batches.Labels, o.ClassWeights, o.LabelSmoothing);
                    lossTensor.backward();
                    optimiser.Step(o.ClipNorm, schedule.Rate(step));
                    loss = lossTensor.item<float>();
                }
                step++;
                meter.Record(loss, padded.Lengths);
                bool last = index == batches.StepsPerEpoch;
                if (progress is not null && !last && o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                {
                    progress.Report(new TrainingProgress(epoch, step, meter.MeanLoss, meter.TokensPerSecond, null, null, false));
                    meter.Reset();
                }
            }
            epochsTrained = epoch;
            double trainLoss = meter.MeanLoss;
            double tokensPerSecond = meter.TokensPerSecond;
            double? accuracy = null, logLoss = null;
            bool stop = false;
            if (validationSequences is not null)
            {
                (accuracy, logLoss) = Evaluate(model, validationSequences, validationLabels!, batchSize);
                (bool keep, stop) = rule.Observe(epoch, accuracy.Value);
                if (keep)
                {
                    model.CopyTo(managed);
                    best.Capture(managed.Parameters);
                    bestEpoch = epoch;
                }
            }
            else
            {
                bestEpoch = epoch;
            }
            progress?.Report(new TrainingProgress(epoch, step, trainLoss, tokensPerSecond, accuracy, logLoss, true));
            if (stop)
            {
                break;
            }
        }
        model.CopyTo(managed);
        best.Restore(managed.Parameters);
        return new TrainedEncoder<SequenceClassifier>(managed, epochsTrained, bestEpoch);
    }

    /// <summary>Accuracy and mean log-loss of the TorchSharp model on labelled sequences (the managed trainer's definitions).</summary>
    public static (double Accuracy, double LogLoss) Evaluate(TorchSequenceClassifier model, IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        int c = model.Classes;
        var probs = model.Predict(sequences, batchSize);
        int correct = 0;
        double logLoss = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            var p = probs.AsSpan(i * c, c);
            int arg = 0;
            for (int j = 1; j < c; j++)
            {
                if (p[j] > p[arg])
                {
                    arg = j;
                }
            }
            correct += arg == labels[i] ? 1 : 0;
            logLoss -= Math.Log(Math.Max(p[labels[i]], 1e-15));
        }
        return ((double)correct / sequences.Count, logLoss / sequences.Count);
    }

    private static SequenceClassifier NewModel(SequenceClassifierOptions o, IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, IReadOnlyList<int[]>? validation) =>
        NewModel(o, o.Classes > 0 ? o.Classes : labels.Max() + 1,
            o.Vocabulary > 0 ? o.Vocabulary : Math.Max(TrainingInputs.MaxId(sequences), validation is null ? 0 : TrainingInputs.MaxId(validation)) + 1);

    private static SequenceClassifier NewModel(SequenceClassifierOptions o, int classes, int vocabulary)
    {
        var config = o.Geometry(vocabulary);
        return new SequenceClassifier(config, classes, o.PositionEncoding ?? PositionEncoding.Rotary(), o.Seed, o.Pooling) { Threads = o.Threads };
    }

    private static SequenceClassifier Copy(SequenceClassifier source)
    {
        var e = source.Encoder;
        var copy = new SequenceClassifier(e.Config, source.Classes, e.PositionEncoding, e.Seed, source.Pooling) { Threads = source.Threads };
        for (int i = 0; i < source.Parameters.Count; i++)
        {
            source.Parameters[i].Value.CopyTo(copy.Parameters[i].Value, 0);
        }
        return copy;
    }
}
