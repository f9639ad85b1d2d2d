using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.Engine;
using MLComponents.MLNet;
using MLComponents.Trainers;

[assembly: LoadableComponent(typeof(TransformerClassifierModelParameters))]

namespace MLComponents.Trainers;

/// <summary>
/// The trained Transformer text classifier: maps a token-id vector to class probabilities. ML.NET's
/// <c>MulticlassPredictionTransformer</c> wraps it and adds <c>Score</c> (the probabilities, element c for key c + 1, with
/// the label's values as SlotNames) and <c>PredictedLabel</c> (a key carrying the label's KeyValues).
/// </summary>
/// <remarks>
/// <para>Token sequences longer than <see cref="MaxTokens"/> are truncated to their first MaxTokens ids; an empty sequence is
/// scored as the single padding id 0. An id outside [0, <see cref="VocabularySize"/>) throws an <see cref="InvalidDataException"/>
/// naming the feature column (map unknown words to the tokenizer's unknown id).</para>
/// <para>Saved as options JSON (geometry, the position scheme's JSON) plus every parameter as a float32 tensor under its
/// stable name, in one safetensors blob; a reloaded model gives bit-identical scores.</para>
/// <para>Thread-safe: PredictionEngines and cursors on many threads score at once (a caller that finds the model busy scores
/// with a spare copy of its weights, kept for the next one), with the same bits as one thread.</para>
/// </remarks>
public sealed class TransformerClassifierModelParameters
    : ComponentModelParameters<TransformerClassifierModelParameters, VBuffer<int>, VBuffer<float>>,
      ILoadableComponent<TransformerClassifierModelParameters>, ISentenceEncoder
{
    private readonly SequenceClassifier _model;
    private readonly Lock _modelLock = new();
    private readonly ConcurrentBag<SequenceClassifier> _spares = [];

    internal TransformerClassifierModelParameters(IHostEnvironment env, SequenceClassifier model, string featureColumnName, long truncated,
        int epochsTrained, int bestEpoch, long skippedTrainingRows, bool refittedOnAllRows = false) : base(env)
    {
        RefittedOnAllRows = refittedOnAllRows;
        SkippedTrainingRows = skippedTrainingRows;
        _model = model;
        _model.Threads = 1;
        FeatureColumnName = featureColumnName;
        TruncatedTrainingSequences = truncated;
        EpochsTrained = epochsTrained;
        BestEpoch = bestEpoch;
        OutputType = new VectorDataViewType(NumberDataViewType.Single, model.Classes);
    }

    /// <inheritdoc />
    public static ComponentSignature Signature { get; } = new("MLC.TransformerModel", "MLCTRCLS");

    /// <inheritdoc />
    protected override ScoreKind Kind => ScoreKind.MulticlassClassification;

    /// <summary>A vector of Int32 token ids (any length).</summary>
    public override DataViewType InputType { get; } = new VectorDataViewType(NumberDataViewType.Int32);

    /// <summary>Class probabilities: a float vector of <see cref="ClassCount"/>.</summary>
    public override DataViewType OutputType { get; }

    /// <summary>The token-id column the model was trained on (named in errors).</summary>
    public string FeatureColumnName { get; }

    /// <summary>Number of classes (the label's key count).</summary>
    public int ClassCount => _model.Classes;

    /// <summary>Size of the token-embedding table: valid ids are 0..VocabularySize-1.</summary>
    public int VocabularySize => _model.Encoder.Config.Vocabulary;

    /// <summary>Longest sequence scored; longer ones are truncated.</summary>
    public int MaxTokens => _model.Encoder.Config.MaxTokens;

    /// <summary>The position-encoding scheme.</summary>
    public PositionEncoding PositionEncoding => _model.Encoder.PositionEncoding;

    /// <summary>Training sequences that were longer than MaxTokens (and were truncated).</summary>
    public long TruncatedTrainingSequences { get; }

    /// <summary>Training rows left out because their label was missing (key 0: an empty or NaN value before MapValueToKey).</summary>
    public long SkippedTrainingRows { get; }

    /// <summary>Epochs run (fewer than asked when early stopping ended training).</summary>
    public int EpochsTrained { get; }

    /// <summary>The epoch whose weights the model holds when validation data was given (the last epoch within one standard error of the best
    /// validation accuracy: among epochs the validation rows cannot tell apart, the one trained longest); else 0.</summary>
    public int BestEpoch { get; }

    /// <summary>
    /// True when the held-out slice of <see cref="Trainers.TransformerClassifierOptions.ValidationFraction"/> chose
    /// <see cref="BestEpoch"/> and the model was then trained again on every row for that many epochs
    /// (<see cref="Trainers.TransformerClassifierOptions.RefitOnAllRows"/>): the weights are the second run's.
    /// </summary>
    public bool RefittedOnAllRows { get; }

    /// <summary>The array-level model (for direct, allocation-free single-sentence prediction).</summary>
    internal SequenceClassifier Model => _model;

    /// <summary>The classifier's encoder, so <c>EmbedSentences</c> can embed with it (read only; see <see cref="ISentenceEncoder"/>).</summary>
    public TransformerEncoder Encoder => _model.Encoder;

    /// <summary>The pooling the classification head reads.</summary>
    public Pooling Pooling => _model.Pooling;

    /// <summary>
    /// Class probabilities of one token sequence into <paramref name="probabilities"/> (at least <see cref="ClassCount"/> values), with
    /// the same truncation, empty-sequence and id rules as scoring a view. Allocates nothing.
    /// </summary>
    public void Predict(ReadOnlySpan<int> tokenIds, Span<float> probabilities)
    {
        if (tokenIds.Length > MaxTokens) tokenIds = tokenIds[..MaxTokens];
        if (tokenIds.IsEmpty) tokenIds = TokenSequenceColumns.EmptySequence;
        for (int i = 0; i < tokenIds.Length; i++)
        {
            if ((uint)tokenIds[i] >= (uint)VocabularySize)
                throw new ArgumentException($"Token id {tokenIds[i]} at position {i} is outside the model's vocabulary [0, {VocabularySize}).", nameof(tokenIds));
        }
        PredictChecked(tokenIds, probabilities);
    }

    /// <summary>
    /// Scores one checked sequence. The model keeps its activations in one workspace, so one caller at a time uses it; a caller
    /// that finds it busy takes a spare copy of the weights instead of waiting (made once per extra concurrent caller, then
    /// reused), so PredictionEngines and parallel cursors on many threads score at once, with the same bits.
    /// </summary>
    private void PredictChecked(ReadOnlySpan<int> ids, Span<float> probabilities)
    {
        if (_modelLock.TryEnter())
        {
            try
            {
                _model.Predict(ids, probabilities);
            }
            finally
            {
                _modelLock.Exit();
            }
            return;
        }
        var spare = _spares.TryTake(out var s) ? s : CreateSpare();
        try
        {
            spare.Predict(ids, probabilities);
        }
        finally
        {
            _spares.Add(spare);
        }
    }

    /// <summary>Spare copies made so far and idle now (for tests: nonzero once callers have met on the model).</summary>
    internal int IdleSpares => _spares.Count;

    private SequenceClassifier CreateSpare()
    {
        var encoder = _model.Encoder;
        var copy = new SequenceClassifier(encoder.Config, _model.Classes, encoder.PositionEncoding, encoder.Seed, _model.Pooling) { Threads = 1 };
        for (int i = 0; i < _model.Parameters.Count; i++) _model.Parameters[i].Value.CopyTo(copy.Parameters[i].Value, 0);
        return copy;
    }

    /// <inheritdoc />
    protected override RowScorer<VBuffer<int>, VBuffer<float>> CreateScorer()
    {
        int classes = ClassCount, vocabulary = VocabularySize, maxTokens = MaxTokens;
        return (in VBuffer<int> tokens, ref VBuffer<float> scores) =>
        {
            var ids = tokens.GetValues();
            if (ids.Length > maxTokens) ids = ids[..maxTokens];
            if (ids.IsEmpty) ids = TokenSequenceColumns.EmptySequence;
            for (int i = 0; i < ids.Length; i++)
            {
                if ((uint)ids[i] >= (uint)vocabulary)
                    throw new InvalidDataException(
                        $"Column '{FeatureColumnName}': token id {ids[i]} at position {i} is outside the model's vocabulary [0, {vocabulary}).");
            }
            var editor = VBufferEditor.Create(ref scores, classes);
            PredictChecked(ids, editor.Values);
            scores = editor.Commit();
        };
    }

    /// <inheritdoc />
    protected override void SaveComponent(ComponentSaveContext ctx)
    {
        var o = ctx.Options;
        o["featureColumnName"] = FeatureColumnName;
        o["classes"] = ClassCount;
        EncoderArchive.SaveGeometry(ctx, _model.Encoder, _model.Pooling);
        o["truncatedTrainingSequences"] = TruncatedTrainingSequences;
        o["skippedTrainingRows"] = SkippedTrainingRows;
        o["epochsTrained"] = EpochsTrained;
        o["bestEpoch"] = BestEpoch;
        o["refittedOnAllRows"] = RefittedOnAllRows;
        foreach (var p in _model.Parameters) ctx.AddTensor(p.Name, p.Value, p.Shape);
    }

    /// <inheritdoc />
    public static TransformerClassifierModelParameters Load(IHostEnvironment env, ComponentLoadContext ctx)
    {
        // Same encoder format as every encoder-bearing component (EncoderArchive); the head's weights are extra tensors.
        var (config, scheme, seed, pooling) = EncoderArchive.ReadGeometry(ctx);
        int classes = ctx.GetOption<int>("classes");
        if (classes < 2) throw ctx.Fail(ComponentLoadContext.OptionsEntry, $"option 'classes' is {classes}; a classifier has at least 2");
        var model = new SequenceClassifier(config, classes, scheme, seed, pooling);
        EncoderArchive.ReadWeights(ctx, model.Parameters);
        return new TransformerClassifierModelParameters(env, model, ctx.GetOption<string>("featureColumnName"),
            ctx.GetOptionOrDefault("truncatedTrainingSequences", 0L), ctx.GetOptionOrDefault("epochsTrained", 0), ctx.GetOptionOrDefault("bestEpoch", 0),
            ctx.GetOptionOrDefault("skippedTrainingRows", 0L), ctx.GetOptionOrDefault("refittedOnAllRows", false));
    }
}
