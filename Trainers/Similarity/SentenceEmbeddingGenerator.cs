using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Engine;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a fitted (or loaded) pipeline that ends in
/// <c>EmbedSentences</c>: the steps before it (e.g. <c>TokenizeToIds</c>) turn the text into token ids, the
/// embedding step's encoder turns them into vectors. Returns the same vectors as the pipeline's embedding column.
/// </summary>
/// <remarks>
/// <para>Thread-safe: each call rents an encoder workspace from a pool (one per concurrent call), and texts
/// are embedded in padded batches of <see cref="BatchSize"/>.</para>
/// <para>Inputs: a null text throws <see cref="ArgumentNullException"/> naming its index. Empty text (or text
/// with no tokens) is embedded as the single padding id, a defined, finite vector. Text longer than the
/// tokenizer's maxTokens or the encoder's MaxTokens is truncated to its first tokens.</para>
/// </remarks>
public sealed class SentenceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ITransformer _tokenizer;
    private readonly TokenizeToIdsTransformer? _directTokenizer;
    private readonly SentenceEmbeddingTransformer _embedding;
    private readonly string _textColumn;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly MLContext _data = new();

    /// <summary>
    /// Wraps a pipeline (usually a <see cref="TransformerChain{TLastTransformer}"/>) whose last sentence-embedding
    /// step reads tokens produced from the text column <paramref name="textColumnName"/> by the steps before it.
    /// </summary>
    /// <exception cref="ArgumentException">The pipeline has no EmbedSentences step, or no step before it.</exception>
    /// <exception cref="SchemaException">The steps before it cannot run on a single text column of that name.</exception>
    public SentenceEmbeddingGenerator(ITransformer model, string textColumnName = "Text", string? modelId = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(textColumnName);
        var steps = model is IEnumerable<ITransformer> chain ? Flatten(chain).ToList() : [model];
        int at = steps.FindLastIndex(s => s is SentenceEmbeddingTransformer);
        if (at < 0)
        {
            throw new ArgumentException("The model has no EmbedSentences step (ml.Transforms.Text.EmbedSentences) to take embeddings from.", nameof(model));
        }
        if (at == 0)
        {
            throw new ArgumentException("The model's EmbedSentences step has no tokenizer step before it to turn text into token ids.", nameof(model));
        }
        _embedding = (SentenceEmbeddingTransformer)steps[at];
        _tokenizer = new TransformerChain<ITransformer>([.. steps.Take(at)]);
        _textColumn = textColumnName;
        // The usual pipeline (one TokenizeToIds step from the text column) tokenises directly, without a data view per call.
        if (at == 1 && steps[0] is TokenizeToIdsTransformer t && t.InputColumnName == textColumnName && t.SecondInputColumnName is null
            && t.OutputColumnName == _embedding.InputColumnName)
            _directTokenizer = t;
        // Fail now, not at the first call, when the tokenizer does not produce the embedding step's input.
        var inputSchema = TextView([]).Schema;
        PairColumns.RequireTokens(_tokenizer.GetOutputSchema(inputSchema), _embedding.InputColumnName);
        _metadata = new EmbeddingGeneratorMetadata("MLComponents", null, modelId, _embedding.Dimension);
    }

    /// <summary>Loads a saved pipeline (.zip, checked by <see cref="ModelFiles.LoadVerified(ModelOperationsCatalog, string, out DataViewSchema, ModelFileLimits?)"/>) and wraps it.</summary>
    public static SentenceEmbeddingGenerator Load(MLContext context, string path, string textColumnName = "Text")
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model.LoadVerified(path, out _);
        return new SentenceEmbeddingGenerator(model, textColumnName, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Texts per padded encoder batch (&gt; 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or negative (a batch of none would never finish).</exception>
    public int BatchSize
    {
        get => _batchSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(BatchSize));
            _batchSize = value;
        }
    }

    private readonly int _batchSize = 32;

    /// <summary>Embedding width.</summary>
    public int Dimension => _embedding.Dimension;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentNullException(nameof(values), $"Text {i} is null.");
            }
        }
        if (options?.Dimensions is int dims && dims != Dimension)
        {
            throw new ArgumentException($"This model produces {Dimension}-dimensional embeddings; {dims} were requested.", nameof(options));
        }
        cancellationToken.ThrowIfCancellationRequested();
        var tokens = Tokenize(texts);
        int d = Dimension;
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        var vectors = new float[texts.Length * d];
        var embedder = _embedding.Pool.Rent();
        try
        {
            for (int start = 0; start < texts.Length; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(BatchSize, texts.Length - start);
                embedder.Embed(new ArraySegment<int[]>(tokens, start, n), vectors.AsSpan(start * d, n * d), _embedding.Normalize, BatchSize);
            }
        }
        finally
        {
            _embedding.Pool.Return(embedder);
        }
        for (int i = 0; i < texts.Length; i++)
        {
            result.Add(new Embedding<float>(vectors.AsMemory(i * d, d)) { ModelId = _metadata.DefaultModelId, CreatedAt = DateTimeOffset.UtcNow });
        }
        return Task.FromResult(result);
    }

    private int[][] Tokenize(string[] texts)
    {
        if (_directTokenizer is not null) return [.. texts.Select(t => _directTokenizer.GetIds(t))];
        var view = _tokenizer.Transform(TextView(texts));
        var col = view.Schema[_embedding.InputColumnName];
        var tokens = new int[texts.Length][];
        using var cursor = view.GetRowCursor([col]);
        var get = cursor.GetGetter<VBuffer<int>>(col);
        VBuffer<int> buf = default;
        int i = 0;
        while (cursor.MoveNext())
        {
            get(ref buf);
            tokens[i++] = buf.GetValues().ToArray();
        }
        return tokens;
    }

    private IDataView TextView(string[] texts)
    {
        var definition = SchemaDefinition.Create(typeof(TextRow));
        definition[0].ColumnName = _textColumn;
        return _data.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }), definition);
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(_embedding) ? _embedding
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing unmanaged: the pool's workspaces are plain arrays.
    }

    private static IEnumerable<ITransformer> Flatten(IEnumerable<ITransformer> chain)
    {
        foreach (var t in chain)
        {
            if (t is IEnumerable<ITransformer> inner)
            {
                foreach (var x in Flatten(inner))
                {
                    yield return x;
                }
            }
            else
            {
                yield return t;
            }
        }
    }
}
