namespace MLComponents.Engine;

/// <summary>
/// Turns token-id sequences into sentence embeddings with a private copy of an encoder's weights, so each
/// embedder can run on its own thread (an encoder keeps its activations in one workspace and is not thread-safe).
/// </summary>
/// <remarks>
/// Input rules, shared by every embedding and scoring path so they all give the same vectors: a sequence longer
/// than MaxTokens is truncated to its first MaxTokens ids; an empty sequence is read as the single padding id 0
/// (the same rule as the classifier), so it gets a defined, finite embedding; an id at or above the vocabulary size is
/// read as the unknown id 1 (the tokenizer's vocabulary may have grown since the encoder was trained); a negative id
/// throws an <see cref="ArgumentException"/>.
/// </remarks>
public sealed class SentenceEmbedder
{
    private static readonly int[] EmptySequence = [0];
    private readonly TransformerEncoder _encoder;
    private readonly int[] _one = new int[1];
    private float[] _pooled = [];
    private int[] _scratch = [];

    /// <summary>Copies the weights of <paramref name="source"/> (later changes to it are not seen).</summary>
    public SentenceEmbedder(TransformerEncoder source, Pooling pooling)
    {
        ArgumentNullException.ThrowIfNull(source);
        _encoder = new TransformerEncoder(source.Config, source.PositionEncoding, source.Seed) { Threads = 1 };
        for (int i = 0; i < source.Parameters.Count; i++)
        {
            source.Parameters[i].Value.CopyTo(_encoder.Parameters[i].Value, 0);
        }
        Pooling = pooling;
    }

    /// <summary>Embedding width D.</summary>
    public int Dimension => _encoder.Config.ModelDimension;

    /// <summary>Longest sequence embedded without truncation.</summary>
    public int MaxTokens => _encoder.Config.MaxTokens;

    /// <summary>The pooling used.</summary>
    public Pooling Pooling { get; }

    /// <summary>Embeddings [count, D] of a list of sequences, in padded batches of up to <paramref name="batchSize"/>.</summary>
    public void Embed(IReadOnlyList<int[]> sequences, Span<float> output, bool normalize, int batchSize = 32) =>
        Embed(_encoder, Pooling, sequences, output, normalize, batchSize);

    /// <summary>The embedding [D] of one sequence (the low-latency path: no padding, no allocation once warm).</summary>
    public void Embed(ReadOnlySpan<int> tokens, Span<float> output, bool normalize)
    {
        int d = Dimension;
        if (output.Length < d)
        {
            throw new ArgumentException($"output must hold {d} values.", nameof(output));
        }
        if (tokens.IsEmpty)
        {
            tokens = EmptySequence;
        }
        else if (tokens.Length > MaxTokens)
        {
            tokens = tokens[..MaxTokens];
        }
        if (NeedsMapping(tokens, _encoder.Config.Vocabulary))
        {
            if (_scratch.Length < tokens.Length)
            {
                _scratch = new int[MaxTokens];
            }
            MapIds(tokens, _scratch, _encoder.Config.Vocabulary);
            tokens = _scratch.AsSpan(0, tokens.Length);
        }
        if (_pooled.Length < d)
        {
            _pooled = new float[d];
        }
        _one[0] = tokens.Length;
        _encoder.Infer(tokens, _one, 1, tokens.Length);
        PoolingLayer.Forward(Pooling, _encoder.Output, _one, _pooled, 1, tokens.Length, d);
        _pooled.AsSpan(0, d).CopyTo(output);
        if (normalize)
        {
            SiameseModel.NormalizeRows(output, 1, d);
        }
    }

    /// <summary>
    /// A sequence as the encoder will see it: truncated to <paramref name="maxTokens"/>, empty read as [0], ids at or
    /// above <paramref name="vocabulary"/> (when positive) read as the unknown id. Returns the input when nothing changes.
    /// </summary>
    public static int[] Prepare(int[] tokens, int maxTokens, int vocabulary = 0)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var s = tokens.Length == 0 ? EmptySequence : tokens.Length > maxTokens ? tokens[..maxTokens] : tokens;
        if (vocabulary > 0 && NeedsMapping(s, vocabulary))
        {
            var copy = new int[s.Length];
            MapIds(s, copy, vocabulary);
            s = copy;
        }
        return s;
    }

    private static bool NeedsMapping(ReadOnlySpan<int> tokens, int vocabulary)
    {
        foreach (int id in tokens)
        {
            if ((uint)id >= (uint)vocabulary)
            {
                return true;
            }
        }
        return false;
    }

    private static void MapIds(ReadOnlySpan<int> tokens, Span<int> output, int vocabulary)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            int id = tokens[i];
            if (id < 0)
            {
                throw new ArgumentException($"Token {i} has the negative id {id}.", nameof(tokens));
            }
            output[i] = id >= vocabulary ? Text.Vocabulary.UnknownId : id;
        }
    }

    /// <summary>Embeddings with a given encoder (not thread-safe: uses the encoder's workspace).</summary>
    internal static void Embed(TransformerEncoder encoder, Pooling pooling, IReadOnlyList<int[]> sequences, Span<float> output, bool normalize, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int d = encoder.Config.ModelDimension, max = encoder.Config.MaxTokens;
        if (output.Length < sequences.Count * d)
        {
            throw new ArgumentException($"output must hold {sequences.Count} x {d} values.", nameof(output));
        }
        var prepared = new int[Math.Min(batchSize, sequences.Count)][];
        var batch = new PaddedBatch(Math.Max(1, prepared.Length), max);
        var pooled = new float[Math.Max(1, prepared.Length) * d];
        for (int start = 0; start < sequences.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, sequences.Count - start);
            for (int i = 0; i < n; i++)
            {
                prepared[i] = Prepare(sequences[start + i] ?? throw new ArgumentException($"Sequence {start + i} is null.", nameof(sequences)), max, encoder.Config.Vocabulary);
            }
            batch.Fill(prepared, 0, n, null);
            encoder.Infer(batch.Ids, batch.Lengths, n, batch.Length);
            PoolingLayer.Forward(pooling, encoder.Output, batch.Lengths, pooled, n, batch.Length, d);
            pooled.AsSpan(0, n * d).CopyTo(output[(start * d)..]);
        }
        if (normalize)
        {
            SiameseModel.NormalizeRows(output, sequences.Count, d);
        }
    }
}
