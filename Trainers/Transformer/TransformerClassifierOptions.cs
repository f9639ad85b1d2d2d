using Microsoft.ML;
using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// Options of <c>ml.MulticlassClassification.Trainers.Transformer</c>. Every option has a default that
/// trains a small, useful model on a CPU in seconds to minutes.
/// </summary>
public class TransformerClassifierOptions
{
    /// <summary>Key-typed label column (e.g. from MapValueToKey). Rows whose label is missing (key 0) are skipped in training.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Token-id column: a vector of Int32 ids (variable or fixed length), e.g. from TokenizeToIds.</summary>
    public string FeatureColumnName { get; set; } = "Tokens";

    /// <summary>Output column of class probabilities (float vector, element c for key c + 1).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output key column of the most probable class; carries the label's KeyValues, so MapKeyToValue works on it.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Encoder blocks.</summary>
    public int Layers { get; set; } = 2;

    /// <summary>
    /// Model (embedding) dimension; divisible by <see cref="Heads"/>. 128 by default: on the accuracy suite's word-order
    /// tasks D 64 with dropout left RoPE at 0.956 on first-noun, D 128 without dropout (the PyTorch peer's recipe) reaches 0.999.
    /// </summary>
    public int ModelDimension { get; set; } = 128;

    /// <summary>Attention heads.</summary>
    public int Heads { get; set; } = 4;

    /// <summary>Feed-forward hidden size; 0 means 4 x ModelDimension.</summary>
    public int FeedForwardDimension { get; set; }

    /// <summary>
    /// Dropout on attention probabilities and residual branches while training; 0 by default (the held-out slice and early
    /// stopping guard against over-fitting instead, and dropout slowed convergence on every task of the suite).
    /// </summary>
    public float Dropout { get; set; }

    /// <summary>
    /// Longest sequence the model sees. Longer inputs are truncated to their first MaxTokens ids, in
    /// training and at prediction time (never dropped); the number truncated in training is reported in
    /// <see cref="TrainingProgress.TruncatedSequences"/> and <see cref="TransformerClassifierModelParameters.TruncatedTrainingSequences"/>.
    /// </summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>
    /// Size of the token-embedding table (ids must be in [0, VocabularySize)). 0 (the default) takes it from the
    /// token column's KeyValues annotation when it has one (the vocabulary of TokenizeToIds), else max id + 1 over
    /// the training and validation data. At prediction time an id outside the table is an error naming the column and row.
    /// </summary>
    public int VocabularySize { get; set; }

    /// <summary>Position-encoding scheme (default RoPE); any <see cref="MLComponents.PositionEncoding"/> works.</summary>
    public PositionEncoding PositionEncoding { get; set; } = PositionEncoding.Rotary();

    /// <summary>
    /// Length generalisation, randomized positions (Ruoss et al. 2023): 0 (off, default) or L. In training each sequence of
    /// n tokens sits at a sorted random sample of n distinct positions from [0, L) (seeded by <see cref="Seed"/>,
    /// repeatable) instead of 0..n-1, so the model meets the positions of longer inputs; at prediction positions are 0..n-1.
    /// Choose L at least the longest input expected. Schemes: rope, alibi, fire (others are refused); managed backend only.
    /// Saved with the model.
    /// </summary>
    public int RandomizedPositions { get; set; }

    /// <summary>
    /// Length generalisation, log-length attention scaling: 0 (off, default) or n0 &gt;= 2, usually the longest training
    /// length. The q.k attention logits of a sequence of n tokens are multiplied by max(1, ln n / ln n0) in training and at
    /// prediction, so attention keeps its sharpness on inputs longer than n0. Both backends. Saved with the model.
    /// </summary>
    public int LogLengthScale { get; set; }

    /// <summary>
    /// With <see cref="LogLengthScale"/> on: false (default), the factor multiplies q.k alone and the scheme's position
    /// biases (FIRE, ALiBi, T5, Shaw, scaled) are added unscaled; true, it multiplies the whole logit, q.k/sqrt(dh) plus
    /// the bias, so a bias keeps its weight against the sharper q.k on longer inputs (Benchmarks/Suite/README.md, "Length
    /// generalisation", has the measurements). No effect on RoPE, xPos, absolute or no positions, which add no bias.
    /// Needs <see cref="LogLengthScale"/> &gt;= 2. Both backends. Saved with the model.
    /// </summary>
    public bool LogLengthScaleBiases { get; set; }

    /// <summary>
    /// Pooling of token states into the sentence vector. <see cref="Pooling.Cls"/> needs every row to start with the same CLS
    /// token (<c>TokenizeToIds(..., addClsToken: true)</c>; the raw-text <c>TextClassification</c> adds it itself); training
    /// refuses rows that do not, naming the first.
    /// </summary>
    public Pooling Pooling { get; set; } = Pooling.Mean;

    /// <summary>
    /// Most passes over the training data. With validation data (given, or held out by <see cref="ValidationFraction"/>)
    /// training stops after <see cref="EarlyStoppingPatience"/> epochs in a row more than one standard error below the best
    /// validation accuracy, and the last epoch within one standard error of the best is kept.
    /// </summary>
    public int Epochs { get; set; } = 12;

    /// <summary>Sequences per optimiser step.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Peak AdamW learning rate.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Decoupled AdamW weight decay (not applied to biases, norms and position tables).</summary>
    public float WeightDecay { get; set; } = 0.01f;

    /// <summary>Fraction of all steps spent in linear warm-up.</summary>
    public float WarmupFraction { get; set; } = 0.1f;

    /// <summary>
    /// Multiplier of the learning rate for the token-embedding table alone (its decay scales with it). A word's row moves
    /// only in steps whose batch holds the word, so on real text, where most words are rare, one rate leaves the rows
    /// under-trained. 3 is chosen on the task suite: +2.5 points (RoPE) and +2.1 (FIRE) on its real-text corpus over three
    /// splits, level on its word-order tasks at the training lengths. 1 is one rate for all, as torch's single group.
    /// </summary>
    public float EmbeddingLearningRateScale { get; set; } = 3f;

    /// <summary>
    /// After each update past <see cref="EmbeddingMeanPullStart"/>, pull every token embedding toward the mean embedding by
    /// the step's learning rate x this (0 is off): words the loss has no use for telling apart drift together, while the
    /// gradient keeps apart the ones it needs. Null (the default) takes <see cref="DefaultEmbeddingMeanPull"/> for the
    /// scheme: 20 for RoPE, xPos, FIRE and Shaw, 0 for the others. Chosen on the task suite (Benchmarks/Suite/README.md,
    /// "Quarter"): on its quarter task (which quarter of the sentence a marker stands in, among 40 kinds of filler), where
    /// a model otherwise learns the position once per surrounding word, it takes RoPE from 0.946 to 0.994 and FIRE from
    /// 0.958 to 0.991, and on its real text (fortunes) it adds about two points; the other word-order tasks stay at
    /// 0.996-1.000. T5 and ALiBi learn "not" before an adjective too late for the pull (the suite's negation falls to
    /// 0.948 and 0.523), and the absolute schemes lose elsewhere, so they keep 0. LearningRate x the value must stay below 1.
    /// </summary>
    public float? EmbeddingMeanPull { get; set; }

    /// <summary>
    /// The <see cref="EmbeddingMeanPull"/> a scheme trains with when the option is null: 20 for RoPE (any scaling), xPos,
    /// FIRE and Shaw, 0 for the others.
    /// </summary>
    public static float DefaultEmbeddingMeanPull(PositionEncoding? encoding) =>
        (encoding?.Kind ?? RotaryEncoding.KindName) is RotaryEncoding.KindName or XPosEncoding.KindName or FireEncoding.KindName or ShawRelativeEncoding.KindName
            ? 20f : 0f;

    /// <summary>The pull this instance trains with: <see cref="EmbeddingMeanPull"/>, or the scheme's default when it is null.</summary>
    internal float ResolvedEmbeddingMeanPull => EmbeddingMeanPull ?? DefaultEmbeddingMeanPull(PositionEncoding);

    /// <summary>
    /// The fraction of the planned updates (epochs x batches per epoch) taken before <see cref="EmbeddingMeanPull"/> starts,
    /// in [0, 1). 0.25 by default: the words the loss needs apart are told apart first, and the pull then merges the rest.
    /// </summary>
    public float EmbeddingMeanPullStart { get; set; } = 0.25f;

    /// <summary>Decay after warm-up.</summary>
    public LearningRateDecay Schedule { get; set; } = LearningRateDecay.Cosine;

    /// <summary>Global gradient-norm clip; 0 disables.</summary>
    public float GradientClipNorm { get; set; } = 1f;

    /// <summary>Label smoothing of the cross-entropy, in [0, 1).</summary>
    public float LabelSmoothing { get; set; }

    /// <summary>Optional per-class loss weights, indexed by key - 1.</summary>
    public float[]? ClassWeights { get; set; }

    /// <summary>Seed of the initial weights, shuffling and dropout; null takes the next seed of the MLContext.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Which engine trains: the managed engine (default, nothing native) or TorchSharp (libtorch; the application must reference
    /// MLComponents.Trainers.TorchSharp). Either way the result is the same managed model, saved and scored the same way.
    /// </summary>
    public TransformerBackend Backend { get; set; } = TransformerBackend.Managed;

    /// <summary>The TorchSharp device: "cpu" (default), "cuda" or "cuda:N"; the managed engine runs on "cpu" only.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Worker threads for training; 0 means all cores. Results are repeatable for a given seed and thread count.</summary>
    public int Threads { get; set; }

    /// <summary>
    /// Optional validation data; enables per-epoch validation metrics and early stopping. It must already have the
    /// trainer's input columns (the key label with the same key count, and token ids), e.g.
    /// <c>prefix.Fit(train).Transform(validation)</c> for the steps before the trainer.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>
    /// When no validation set is given: the fraction of the training rows (a seeded sample, at most
    /// <see cref="TransformerClassifierTrainer.MaxHeldOutRows"/>) held out to validate each epoch, keep the best epoch and
    /// stop early; they are not trained on. Data under <see cref="TransformerClassifierTrainer.MinRowsToHoldOut"/> rows
    /// keeps every row. 0: train on every row for exactly <see cref="Epochs"/> epochs.
    /// </summary>
    public float ValidationFraction { get; set; } = 0.1f;

    /// <summary>
    /// When <see cref="ValidationFraction"/> held rows out and they chose the epoch E to keep (no <see cref="ValidationSet"/>,
    /// rows in memory, the held-out slice at least <see cref="TransformerClassifierTrainer.MinHeldOutShareToRefit"/> of the
    /// rows): train again from the same initial weights on every row, the held-out ones included, for E epochs (the
    /// learning-rate schedule spans those E epochs), and return that model. Off by default: it costs a second run of E
    /// epochs, and on the suite it bought little (fortunes, ~3,900 rows, RoPE over three seeds 0.609 -> 0.617) while
    /// moving the long-length accuracy of single runs both ways (Benchmarks/Suite/README.md, "Defaults chosen from the
    /// suite"). Its progress reports follow the first run's, numbered from epoch 1 again and without validation metrics.
    /// Streaming (<see cref="StreamingBufferRows"/>) never refits.
    /// </summary>
    public bool RefitOnAllRows { get; set; }

    /// <summary>
    /// 0 (default): Fit reads the training rows into memory once. N &gt; 0: Fit streams them, reading the training view
    /// again every epoch through a shuffle buffer of N rows (at least BatchSize x 50) and length-bucketing within it, so a
    /// corpus larger than memory trains; memory is about N x (MaxTokens x 4 + 40) bytes. A first pass counts the rows and
    /// checks every token id before training starts. Rows are then shuffled within the buffer's reach rather than over the
    /// whole set: for a file sorted by label, make N a good fraction of the row count or shuffle the file first.
    /// The validation set, when given, is still read into memory.
    /// </summary>
    public int StreamingBufferRows { get; set; }

    /// <summary>
    /// Epochs in a row whose validation accuracy is more than one standard error (sqrt(a (1 - a) / n), n validation rows) below
    /// the best so far before training stops (0: never stop early). The weights kept are those of the last epoch within one
    /// standard error of the best: on a small validation set a plain arg-max is mostly noise and lands mid-schedule.
    /// </summary>
    public int EarlyStoppingPatience { get; set; } = 3;

    /// <summary>
    /// Batches per length-sorted chunk of each epoch's shuffled rows (1: batches of rows in shuffled order, padded to their
    /// longest). Larger pads less and trains faster, but where length goes with the label (long poems, short definitions)
    /// a batch then holds mostly one class.
    /// </summary>
    public int BucketBatches { get; set; } = 50;

    /// <summary>Receives a report at every epoch's end (and every <see cref="ProgressInterval"/> steps within an epoch).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Optimiser steps between mid-epoch progress reports.</summary>
    public int ProgressInterval { get; set; } = 50;

    /// <summary>Stops training; Fit then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A copy of these options (every one of them) reading <paramref name="featureColumn"/>, validated on <paramref name="validation"/>.</summary>
    internal TransformerClassifierOptions CopyFor(string featureColumn, IDataView? validation)
    {
        var copy = (TransformerClassifierOptions)MemberwiseClone();
        copy.FeatureColumnName = featureColumn;
        copy.ValidationSet = validation;
        return copy;
    }

    /// <summary>
    /// The length-generalisation preset, chosen from the accuracy suite's study (Benchmarks/Suite/README.md, "Length
    /// generalisation"): FIRE positions (<see cref="PositionEncoding.Fire"/>) with log-length attention scaling at the
    /// longest training length (<see cref="LogLengthScale"/> = <paramref name="longestTrainingTokens"/>) applied to the whole
    /// logit, FIRE's bias included (<see cref="LogLengthScaleBiases"/>), <see cref="MaxTokens"/> =
    /// <paramref name="longestInput"/> so longer inputs are not truncated, and a budget of 16 epochs without early stopping
    /// (<see cref="Epochs"/> = 16, <see cref="EarlyStoppingPatience"/> = 0): the held-out slice measures the fit at the
    /// training lengths, which is reached before the model has settled on what carries to longer inputs. The token
    /// embeddings train at the classifier's defaults (<see cref="EmbeddingLearningRateScale"/> = 3, the scheme's
    /// <see cref="EmbeddingMeanPull"/>). Trained on 8-32 tokens (the suite's seed 1), it keeps &gt;= 0.991 at the training
    /// lengths, &gt;= 0.977 at 5x and &gt;= 0.980 at 8x on all five of the suite's word-order tasks; other seeds can fall below
    /// 0.95 at 5x on one or two tasks (the README has the table). Other options keep their values. Returns this instance.
    /// </summary>
    public TransformerClassifierOptions ForLongerInputs(int longestTrainingTokens, int longestInput)
    {
        if (longestTrainingTokens < 2)
            throw new ArgumentException($"Option 'longestTrainingTokens' must be >= 2, got {longestTrainingTokens}.", nameof(longestTrainingTokens));
        if (longestInput < longestTrainingTokens)
            throw new ArgumentException($"Option 'longestInput' ({longestInput}) must be >= longestTrainingTokens ({longestTrainingTokens}).", nameof(longestInput));
        PositionEncoding = PositionEncoding.Fire();
        LogLengthScale = longestTrainingTokens;
        MaxTokens = longestInput;
        LogLengthScaleBiases = true;
        Epochs = 16;
        EarlyStoppingPatience = 0;
        EmbeddingLearningRateScale = 3f;
        EmbeddingMeanPull = null;
        return this;
    }
}

/// <summary>A progress report of the Transformer classifier trainer.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Optimiser steps taken so far.</param>
/// <param name="TotalSteps">Steps of the whole run if it does not stop early.</param>
/// <param name="Loss">Mean training loss since the previous report.</param>
/// <param name="TokensPerSecond">Real (non-padding) tokens trained on per second since the previous report.</param>
/// <param name="ValidationAccuracy">Validation accuracy at an epoch's end (null mid-epoch or without validation data).</param>
/// <param name="ValidationLogLoss">Validation log-loss at an epoch's end (null mid-epoch or without validation data).</param>
/// <param name="EpochEnd">True for the report at an epoch's end.</param>
/// <param name="TruncatedSequences">Training sequences longer than MaxTokens (truncated, not dropped).</param>
public sealed record TrainingProgress(
    int Epoch, long Step, long TotalSteps, double Loss, double TokensPerSecond,
    double? ValidationAccuracy, double? ValidationLogLoss, bool EpochEnd, long TruncatedSequences);
