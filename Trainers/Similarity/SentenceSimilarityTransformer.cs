using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;
using MLComponents.Engine;

[assembly: LoadableComponent(typeof(MLComponents.Trainers.SentenceSimilarityTransformer))]

namespace MLComponents.Trainers;

/// <summary>
/// A fitted sentence-similarity model: adds a Single <c>Score</c> column, the cosine of the two sentences'
/// pooled embeddings mapped affinely from [0, 1] to the label range [<see cref="LabelMin"/>, <see cref="LabelMax"/>].
/// Token vectors longer than MaxTokens are truncated, empty ones read as the padding id, ids outside the
/// vocabulary as the unknown id (see <see cref="SentenceEmbedder"/>). Thread-safe; scoring is lazy.
/// </summary>
public sealed class SentenceSimilarityTransformer : ComponentTransformer<SentenceSimilarityTransformer>, ILoadableComponent<SentenceSimilarityTransformer>, ISentenceEncoder
{
    /// <inheritdoc />
    public static ComponentSignature Signature { get; } = new("MLC.SentenceSimilarity", "MLCSIMIL");

    private readonly EmbedderPool _pool;
    private readonly ScoreRange _range;

    internal SentenceSimilarityTransformer(IHostEnvironment env, TransformerEncoder encoder, Pooling pooling, ScoreRange range, string sentence1, string sentence2,
        string score, long truncatedTrainingSequences, int epochsTrained, int bestEpoch, long skippedTrainingRows)
        : base(env)
    {
        SkippedTrainingRows = skippedTrainingRows;
        Encoder = encoder;
        Pooling = pooling;
        _range = range;
        Sentence1ColumnName = sentence1;
        Sentence2ColumnName = sentence2;
        ScoreColumnName = score;
        TruncatedTrainingSequences = truncatedTrainingSequences;
        EpochsTrained = epochsTrained;
        BestEpoch = bestEpoch;
        _pool = new EmbedderPool(this);
    }

    /// <inheritdoc />
    public TransformerEncoder Encoder { get; }

    /// <inheritdoc />
    public Pooling Pooling { get; }

    /// <summary>First sentence's token column.</summary>
    public string Sentence1ColumnName { get; }

    /// <summary>Second sentence's token column.</summary>
    public string Sentence2ColumnName { get; }

    /// <summary>The score column added.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Score at cos = 0.</summary>
    public float LabelMin => _range.Min;

    /// <summary>Score at cos = 1.</summary>
    public float LabelMax => _range.Max;

    /// <summary>Training token sequences that were longer than MaxTokens (and truncated).</summary>
    public long TruncatedTrainingSequences { get; }

    /// <summary>Training rows left out because their label was missing (NaN).</summary>
    public long SkippedTrainingRows { get; }

    /// <summary>Epochs run in training.</summary>
    public int EpochsTrained { get; }

    /// <summary>The epoch whose weights were kept.</summary>
    public int BestEpoch { get; }

    /// <summary>The score of one pair of token sequences (thread-safe).</summary>
    public float Score(ReadOnlySpan<int> sentence1, ReadOnlySpan<int> sentence2)
    {
        int d = Encoder.Config.ModelDimension;
        var buffer = new float[2 * d];
        var e = _pool.Rent();
        try
        {
            return Score(e, sentence1, sentence2, buffer);
        }
        finally
        {
            _pool.Return(e);
        }
    }

    private float Score(SentenceEmbedder e, ReadOnlySpan<int> s1, ReadOnlySpan<int> s2, float[] buffer)
    {
        int d = e.Dimension;
        e.Embed(s1, buffer.AsSpan(0, d), normalize: false);
        e.Embed(s2, buffer.AsSpan(d, d), normalize: false);
        Span<float> cos = stackalloc float[1];
        Span<float> nu = stackalloc float[1];
        Span<float> nv = stackalloc float[1];
        CosineSimilarity.Forward(buffer.AsSpan(0, d), buffer.AsSpan(d, d), cos, nu, nv, 1, d);
        return _range.ToScore(cos[0]);
    }

    /// <inheritdoc />
    protected override RowMapper CreateRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <inheritdoc />
    protected override void SaveComponent(ComponentSaveContext ctx)
    {
        var o = ctx.Options;
        o["sentence1ColumnName"] = Sentence1ColumnName;
        o["sentence2ColumnName"] = Sentence2ColumnName;
        o["scoreColumnName"] = ScoreColumnName;
        o["labelMin"] = LabelMin;
        o["labelMax"] = LabelMax;
        o["truncatedTrainingSequences"] = TruncatedTrainingSequences;
        o["skippedTrainingRows"] = SkippedTrainingRows;
        o["epochsTrained"] = EpochsTrained;
        o["bestEpoch"] = BestEpoch;
        EncoderArchive.Save(ctx, Encoder, Pooling);
    }

    /// <summary>Rebuilds a saved model.</summary>
    public static SentenceSimilarityTransformer Load(IHostEnvironment env, ComponentLoadContext ctx)
    {
        var (encoder, pooling) = EncoderArchive.Load(ctx);
        float min = ctx.GetOption<float>("labelMin"), max = ctx.GetOption<float>("labelMax");
        if (!(max > min) || !float.IsFinite(min) || !float.IsFinite(max))
        {
            throw ctx.Fail(ComponentLoadContext.OptionsEntry, $"label range [{min}, {max}] is not a finite range with max > min");
        }
        return new SentenceSimilarityTransformer(env, encoder, pooling, new ScoreRange(min, max), ctx.GetOption<string>("sentence1ColumnName"),
            ctx.GetOption<string>("sentence2ColumnName"), ctx.GetOption<string>("scoreColumnName"),
            ctx.GetOptionOrDefault("truncatedTrainingSequences", 0L), ctx.GetOptionOrDefault("epochsTrained", 0), ctx.GetOptionOrDefault("bestEpoch", 0),
            ctx.GetOptionOrDefault("skippedTrainingRows", 0L));
    }

    private sealed class Mapper : RowMapper
    {
        private readonly SentenceSimilarityTransformer _parent;
        private readonly DataViewSchema.Column _s1, _s2;

        public Mapper(SentenceSimilarityTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _s1 = PairColumns.RequireTokens(schema, parent.Sentence1ColumnName);
            _s2 = PairColumns.RequireTokens(schema, parent.Sentence2ColumnName);
            OutputColumns = [new OutputColumn(parent.ScoreColumnName, NumberDataViewType.Single)];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_s1, _s2];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (!isOutputActive(0))
            {
                return [null];
            }
            var g1 = input.GetGetter<VBuffer<int>>(_s1);
            var g2 = input.GetGetter<VBuffer<int>>(_s2);
            VBuffer<int> b1 = default, b2 = default;
            var buffer = new float[2 * _parent.Encoder.Config.ModelDimension];
            return [(ValueGetter<float>)((ref float score) =>
            {
                g1(ref b1);
                g2(ref b2);
                var e = _parent._pool.Rent();
                try
                {
                    score = _parent.Score(e, b1.GetValues(), b2.GetValues(), buffer);
                }
                catch (ArgumentException ex)
                {
                    throw new InvalidDataException($"Columns '{_s1.Name}'/'{_s2.Name}', row {input.Position}: {ex.Message}", ex);
                }
                finally
                {
                    _parent._pool.Return(e);
                }
            })];
        }
    }
}
