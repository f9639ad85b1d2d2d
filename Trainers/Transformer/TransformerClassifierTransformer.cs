using System.Text.Json.Nodes;
using MLComponents.Engine;

[assembly: MLComponents.ModelComponent(MLComponents.Trainers.TransformerClassifierTransformer.TypeId, typeof(MLComponents.Trainers.TransformerClassifierTransformer))]

namespace MLComponents.Trainers;

/// <summary>
/// The fitted Transformer text classifier: reads the token-id column and adds <c>Score</c> (class probabilities,
/// element c for key c + 1) and <c>PredictedLabel</c> (key, with the training label's KeyValues).
/// </summary>
/// <remarks>
/// <para>Rows are scored one at a time through the row mapper (each on one thread, with no allocation per row
/// once a cursor's buffers exist); the model's buffers are shared, so concurrent cursors take turns.</para>
/// <para>Token sequences longer than <see cref="MaxTokens"/> are truncated to their first MaxTokens ids; an empty
/// sequence is scored as the single padding id 0. An id outside [0, <see cref="VocabularySize"/>) throws an
/// <see cref="InvalidDataException"/> naming the column and row (map unknown words to the tokenizer's unknown id).</para>
/// <para>Saved as options JSON (geometry, column names, the position scheme's JSON, label values) plus every
/// parameter as a float32 tensor under its stable name; a reloaded model gives bit-identical scores.</para>
/// </remarks>
public sealed class TransformerClassifierTransformer : RowToRowTransformerBase, ISentenceEncoder
{
    /// <summary>Component type id in model archives.</summary>
    public const string TypeId = "TransformerClassifier";

    private const string LabelKindOption = "labelValueKind";
    private const string LabelValuesText = "labelKeyValues";

    private readonly SequenceClassifier _model;
    private readonly LabelKeyValues? _labelValues;
    private readonly Lock _modelLock = new();

    internal TransformerClassifierTransformer(SequenceClassifier model, string featureColumnName, string scoreColumnName,
        string predictedLabelColumnName, LabelKeyValues? labelValues, long truncated, int epochsTrained, int bestEpoch)
    {
        _model = model;
        _model.Threads = 1;
        _labelValues = labelValues;
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        TruncatedTrainingSequences = truncated;
        EpochsTrained = epochsTrained;
        BestEpoch = bestEpoch;
    }

    /// <inheritdoc />
    public override string ComponentTypeId => TypeId;

    /// <summary>The token-id column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The probability column added.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted key column added.</summary>
    public string PredictedLabelColumnName { get; }

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

    /// <summary>Epochs run (fewer than asked when early stopping ended training).</summary>
    public int EpochsTrained { get; }

    /// <summary>The epoch whose weights the model holds when validation data was given (best validation accuracy, ties: lower log-loss); else 0.</summary>
    public int BestEpoch { get; }

    /// <summary>The array-level model (for direct, allocation-free single-sentence prediction).</summary>
    internal SequenceClassifier Model => _model;

    /// <summary>The classifier's encoder, so <c>EmbedSentences</c> can embed with it (read only; see <see cref="ISentenceEncoder"/>).</summary>
    public TransformerEncoder Encoder => _model.Encoder;

    /// <summary>The pooling the classification head reads.</summary>
    public Pooling Pooling => _model.Pooling;

    /// <summary>
    /// Class probabilities of one token sequence into <paramref name="probabilities"/> (at least <see cref="ClassCount"/>
    /// values), with the same truncation, empty-sequence and id rules as the row mapper. Allocates nothing.
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
        lock (_modelLock) _model.Predict(tokenIds, probabilities);
    }

    /// <inheritdoc />
    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <inheritdoc />
    public override void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var o = ctx.Options;
        o["featureColumnName"] = FeatureColumnName;
        o["scoreColumnName"] = ScoreColumnName;
        o["predictedLabelColumnName"] = PredictedLabelColumnName;
        o["classes"] = ClassCount;
        EncoderArchive.SaveGeometry(ctx, _model.Encoder, _model.Pooling);
        o["truncatedTrainingSequences"] = TruncatedTrainingSequences;
        o["epochsTrained"] = EpochsTrained;
        o["bestEpoch"] = BestEpoch;
        _labelValues?.Save(ctx, LabelKindOption, LabelValuesText);
        foreach (var p in _model.Parameters) ctx.AddTensor(p.Name, p.Value, p.Shape);
    }

    /// <summary>Rebuilds a saved classifier.</summary>
    public static TransformerClassifierTransformer Load(ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        // Same encoder format as every encoder-bearing component (EncoderArchive); the head's weights are extra tensors.
        var (config, scheme, seed, pooling) = EncoderArchive.ReadGeometry(ctx);
        int classes = ctx.GetOption<int>("classes");
        var model = new SequenceClassifier(config, classes, scheme, seed, pooling);
        EncoderArchive.ReadWeights(ctx, model.Parameters);
        return new TransformerClassifierTransformer(model, ctx.GetOption<string>("featureColumnName"), ctx.GetOption<string>("scoreColumnName"),
            ctx.GetOption<string>("predictedLabelColumnName"), LabelKeyValues.Load(ctx, LabelKindOption, LabelValuesText, classes),
            ctx.GetOptionOrDefault("truncatedTrainingSequences", 0L), ctx.GetOptionOrDefault("epochsTrained", 0), ctx.GetOptionOrDefault("bestEpoch", 0));
    }

    private sealed class Mapper : RowMapper
    {
        private readonly TransformerClassifierTransformer _parent;
        private readonly DataViewSchema.Column _tokens;

        public Mapper(TransformerClassifierTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _tokens = TokenSequenceColumns.RequireTokens(schema, parent.FeatureColumnName);
            int c = parent.ClassCount;
            OutputColumns =
            [
                new OutputColumn(parent.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, c)),
                new OutputColumn(parent.PredictedLabelColumnName, new KeyDataViewType((ulong)c), parent._labelValues?.ToAnnotations()),
            ];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_tokens];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            var parent = _parent;
            int classes = parent.ClassCount, vocabulary = parent.VocabularySize, maxTokens = parent.MaxTokens;
            string column = _tokens.Name;
            var getTokens = input.GetGetter<VBuffer<int>>(_tokens);
            VBuffer<int> source = default;
            var probabilities = new float[classes];
            long scoredPosition = -1;

            // Score and PredictedLabel share one forward pass per row.
            void Compute()
            {
                if (input.Position == scoredPosition) return;
                getTokens(ref source);
                var ids = source.GetValues();
                if (ids.Length > maxTokens) ids = ids[..maxTokens];
                if (ids.IsEmpty) ids = TokenSequenceColumns.EmptySequence;
                for (int i = 0; i < ids.Length; i++)
                {
                    if ((uint)ids[i] >= (uint)vocabulary)
                        throw new InvalidDataException(
                            $"Column '{column}', row {input.Position}: token id {ids[i]} is outside the model's vocabulary [0, {vocabulary}).");
                }
                lock (parent._modelLock) parent._model.Predict(ids, probabilities);
                scoredPosition = input.Position;
            }

            var getters = new Delegate?[2];
            if (isOutputActive(0))
            {
                getters[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    Compute();
                    var buf = VBufferUtils.Rent(dst, classes);
                    probabilities.CopyTo(buf, 0);
                    dst = new VBuffer<float>(classes, buf);
                });
            }
            if (isOutputActive(1))
            {
                getters[1] = (ValueGetter<uint>)((ref uint dst) =>
                {
                    Compute();
                    int best = 0;
                    for (int i = 1; i < classes; i++)
                    {
                        if (probabilities[i] > probabilities[best]) best = i;
                    }
                    dst = (uint)best + 1;
                });
            }
            return getters;
        }
    }
}
