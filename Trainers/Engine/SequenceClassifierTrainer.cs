using System.Diagnostics;
using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// Trains a <see cref="SequenceClassifier"/> on arrays: token-id sequences (each already truncated to
/// <see cref="EncoderTrainingOptions.MaxTokens"/> by the caller) and labels 0..C-1. Length-bucketed
/// batches, AdamW with warm-up and cosine/linear decay, gradient clipping, optional validation with early
/// stopping that keeps the best epoch's weights. Same seed and thread count give bit-identical results.
/// </summary>
public sealed class SequenceClassifierTrainer
{
    /// <summary>Creates a trainer with the given options.</summary>
    public SequenceClassifierTrainer(SequenceClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The options.</summary>
    public SequenceClassifierOptions Options { get; }

    /// <summary>
    /// Trains and returns the model. Validation data (both or neither) enables per-epoch metrics and early stopping;
    /// the returned model then holds the weights of the epoch <see cref="BestEpochRule"/> keeps (the last within one standard
    /// error of the best validation accuracy).
    /// </summary>
    public SequenceClassifier Fit(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels,
        IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
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
        CheckOptions(o);
        int classes = o.Classes > 0 ? o.Classes : labels.Max() + 1;
        int vocabulary = o.Vocabulary > 0 ? o.Vocabulary : Math.Max(MaxId(sequences), validationSequences is null ? 0 : MaxId(validationSequences)) + 1;
        Validate(sequences, labels, classes, vocabulary, o.MaxTokens, "training");
        if (validationSequences is not null)
        {
            Validate(validationSequences, validationLabels!, classes, vocabulary, o.MaxTokens, "validation");
        }
        if (o.ClassWeights is { } cw && cw.Length != classes)
        {
            throw new ArgumentException($"Option 'ClassWeights' has {cw.Length} entries for {classes} classes.", nameof(o.ClassWeights));
        }

        return Train(ClassifierTrainingData.InMemory(sequences, labels), classes, vocabulary, validationSequences, validationLabels, progress, cancellationToken);
    }

    /// <summary>
    /// Trains on <paramref name="train"/>, which may stream (read again every epoch, a bounded number of rows at a time):
    /// then <see cref="SequenceClassifierOptions.Classes"/> and <see cref="EncoderTrainingOptions.Vocabulary"/> must be
    /// set (a stream cannot be scanned for them first), and each streamed chunk is checked as it comes. Data held in
    /// memory trains exactly as <see cref="Fit(IReadOnlyList{int[]}, IReadOnlyList{int}, IReadOnlyList{int[]}?, IReadOnlyList{int}?, IProgress{TrainingProgress}?, CancellationToken)"/>.
    /// </summary>
    public SequenceClassifier Fit(ClassifierTrainingData train, IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.All is { } all)
        {
            return Fit(all.Sequences, all.Labels, validationSequences, validationLabels, progress, cancellationToken);
        }
        var o = Options;
        CheckOptions(o);
        var (classes, vocabulary) = StreamingShape(o, train, validationSequences, validationLabels);
        if (validationSequences is not null)
        {
            Validate(validationSequences, validationLabels!, classes, vocabulary, o.MaxTokens, "validation");
        }
        return Train(train, classes, vocabulary, validationSequences, validationLabels, progress, cancellationToken);
    }

    /// <summary>Classes and vocabulary of a streamed training set, which the options must give; the other checks of a streamed set.</summary>
    internal static (int Classes, int Vocabulary) StreamingShape(SequenceClassifierOptions o, ClassifierTrainingData train, IReadOnlyList<int[]>? validationSequences,
        IReadOnlyList<int>? validationLabels)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("No training examples.", nameof(train));
        }
        if ((validationSequences is null) != (validationLabels is null) || (validationSequences is not null && validationSequences.Count != validationLabels!.Count))
        {
            throw new ArgumentException("Validation sequences and labels must both be given, with equal counts.", nameof(validationLabels));
        }
        int classes = o.Classes;
        if (classes < 2)
        {
            throw new ArgumentException($"Option 'Classes' must be set (>= 2) to train on streamed data, got {classes}.", "Classes");
        }
        if (o.Vocabulary < 1)
        {
            throw new ArgumentException($"Option 'Vocabulary' must be set (>= 1) to train on streamed data, got {o.Vocabulary}.", "Vocabulary");
        }
        return (classes, o.Vocabulary);
    }

    private SequenceClassifier Train(ClassifierTrainingData train, int classes, int vocabulary, IReadOnlyList<int[]>? validationSequences,
        IReadOnlyList<int>? validationLabels, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var o = Options;
        var config = o.Geometry(vocabulary);
        var model = new SequenceClassifier(config, classes, o.PositionEncoding ?? PositionEncoding.Rotary(), o.Seed, o.Pooling) { Threads = o.Threads };
        int batchSize = (int)Math.Min(o.BatchSize, train.Count);
        model.Plan(batchSize);
        var batches = new EpochBatches(train, batchSize, o.MaxTokens, o.BucketBatches);
        int totalSteps = checked(batches.StepsPerEpoch * o.Epochs);
        var optimiser = new AdamW(model.Parameters, o.WeightDecay, learningRateScale: p => o.LearningRateScale(p, model.Encoder))
        {
            Threads = o.Threads, MeanPull = o.MeanPullOf(model.Encoder, totalSteps),
        };
        if (o.SparseEmbeddingUpdate)
        {
            model.SparseEmbeddingGradients = true;
            optimiser.UpdateRowsOnly(model.Encoder.TokenEmbedding, model.Encoder.TokenRows);
        }
        var schedule = new LearningRateSchedule(o.LearningRate, (int)Math.Round(o.WarmupFraction * totalSteps), totalSteps, o.Schedule);
        Action<LabelledChunk>? check = train.All is null
            ? chunk => Validate(chunk.Sequences, chunk.Labels, classes, vocabulary, o.MaxTokens, "streamed training")
            : null;
        var rng = new Random(o.Seed);
        var best = new ParameterSnapshot();
        var rule = new BestEpochRule(validationSequences?.Count ?? 0, o.EarlyStoppingPatience);
        long step = 0;
        var meter = new TrainingMeter();

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            meter.Reset();
            foreach (int index in batches.Epoch(rng, check))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = batches.Batch;
                int n = batch.Count;
                model.ZeroGrad();
                model.Forward(batch.Ids, batch.Lengths, n, batch.Length, training: true, step);
                double loss = model.Loss(batches.Labels, o.ClassWeights, o.LabelSmoothing);
                model.Backward();
                optimiser.ClipAndUpdate(o.ClipNorm, schedule.Rate(step));
                step++;
                meter.Record(loss, batch.Lengths);
                bool last = index == batches.StepsPerEpoch;
                if (progress is not null && !last && o.ProgressInterval > 0 && step % o.ProgressInterval == 0)
                {
                    progress.Report(new TrainingProgress(epoch, step, meter.MeanLoss, meter.TokensPerSecond, null, null, false));
                    meter.Reset();
                }
            }
            double trainLoss = meter.MeanLoss;
            double tokensPerSecond = meter.TokensPerSecond;
            double? accuracy = null, logLoss = null;
            bool stop = false;
            if (validationSequences is not null)
            {
                (accuracy, logLoss) = Evaluate(model, validationSequences, validationLabels!, batchSize);
                (bool keep, stop) = rule.Observe(epoch, accuracy.Value);
                if (keep) best.Capture(model.Parameters);
            }
            progress?.Report(new TrainingProgress(epoch, step, trainLoss, tokensPerSecond, accuracy, logLoss, true));
            if (stop)
            {
                break;
            }
        }
        best.Restore(model.Parameters);
        return model;
    }

    /// <summary>Accuracy and mean log-loss (natural log) of a model on labelled sequences.</summary>
    public static (double Accuracy, double LogLoss) Evaluate(SequenceClassifier model, IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        int c = model.Classes;
        var probs = new float[sequences.Count * c];
        model.Predict(sequences, probs, batchSize);
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

    private static int MaxId(IReadOnlyList<int[]> sequences)
    {
        int max = 0;
        foreach (var s in sequences)
        {
            if (s is not null && s.Length > 0)
            {
                max = Math.Max(max, s.Max());
            }
        }
        return max;
    }

    private static void Validate(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, int classes, int vocabulary, int maxTokens, string set)
    {
        for (int i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i] ?? throw new ArgumentException($"The {set} sequence at row {i} is null.", nameof(sequences));
            if (s.Length == 0 || s.Length > maxTokens)
            {
                throw new ArgumentException($"The {set} sequence at row {i} has {s.Length} tokens; expected 1..{maxTokens} (truncate to MaxTokens first).", nameof(sequences));
            }
            foreach (int id in s)
            {
                if ((uint)id >= (uint)vocabulary)
                {
                    throw new ArgumentException($"The {set} sequence at row {i} has token id {id}, outside the vocabulary [0, {vocabulary}).", nameof(sequences));
                }
            }
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException($"The {set} label at row {i} is {labels[i]}, outside [0, {classes}).", nameof(labels));
            }
        }
    }

    private static void CheckOptions(SequenceClassifierOptions o) => o.Validate();
}
