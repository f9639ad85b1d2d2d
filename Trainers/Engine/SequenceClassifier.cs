using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// A <see cref="TransformerEncoder"/> with pooling and a linear classification head D-&gt;C, trained with
/// softmax cross-entropy. The array-level model behind the Transformer text classifier.
/// </summary>
public sealed class SequenceClassifier
{
    private float[] _pooled = [], _logits = [], _probs = [], _dLogits = [], _dPooled = [], _dHidden = [];
    private readonly int[] _one = new int[1];

    /// <summary>Builds the model with seeded initial weights (see <see cref="TransformerEncoder"/>).</summary>
    public SequenceClassifier(TransformerConfig config, int classes, PositionEncoding? positionEncoding, int seed, Pooling pooling = Pooling.Mean)
    {
        if (classes < 2)
        {
            throw new ArgumentException($"Option 'classes' must be at least 2, got {classes}.", nameof(classes));
        }
        Encoder = new TransformerEncoder(config, positionEncoding, seed);
        Classes = classes;
        Pooling = pooling;
        var rng = new Random(unchecked(seed * 31 + 7));
        HeadWeight = ParameterInit.Normal("head.weight", [classes, config.ModelDimension], rng);
        HeadBias = ParameterInit.Zeros("head.bias", [classes]);
        Parameters = [.. Encoder.Parameters, HeadWeight, HeadBias];
    }

    /// <summary>The encoder (reusable by other heads, e.g. sentence embeddings).</summary>
    public TransformerEncoder Encoder { get; }

    /// <summary>Number of classes C.</summary>
    public int Classes { get; }

    /// <summary>How token states are pooled.</summary>
    public Pooling Pooling { get; }

    /// <summary>Head weight [C, D].</summary>
    public Parameter HeadWeight { get; }

    /// <summary>Head bias [C].</summary>
    public Parameter HeadBias { get; }

    /// <summary>All parameters (encoder's, then the head's), with stable unique names.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Threads for the encoder and head.</summary>
    public int Threads
    {
        get => Encoder.Threads;
        set => Encoder.Threads = Math.Max(1, value);
    }

    /// <summary>Plans every buffer for batches of up to <paramref name="batch"/> sequences.</summary>
    public void Plan(int batch)
    {
        Encoder.Plan(batch);
        int d = Encoder.Config.ModelDimension, c = Classes;
        if (_pooled.Length < batch * d)
        {
            _pooled = new float[batch * d];
            _dPooled = new float[batch * d];
            _logits = new float[batch * c];
            _probs = new float[batch * c];
            _dLogits = new float[batch * c];
            _dHidden = new float[batch * Encoder.Config.MaxTokens * d];
        }
    }

    /// <summary>
    /// Forward on ids[B,T] with lengths[B]; returns class probabilities [B,C] (a view of an internal buffer,
    /// valid until the next call). <paramref name="step"/> selects the dropout masks when training.
    /// </summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int length, bool training, long step = 0)
    {
        Plan(batch);
        Encoder.Forward(ids, lengths, batch, length, training, step);
        return Head(lengths, batch, length);
    }

    /// <summary>
    /// Class probabilities [B,C] as <c>Forward(training: false)</c> gives them, by <see cref="TransformerEncoder.Infer"/>:
    /// nothing is kept for a backward. <see cref="Predict(ReadOnlySpan{int}, Span{float})"/> and the batch form use it.
    /// </summary>
    public ReadOnlySpan<float> Infer(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int length)
    {
        Plan(batch);
        Encoder.Infer(ids, lengths, batch, length);
        return Head(lengths, batch, length);
    }

    private ReadOnlySpan<float> Head(ReadOnlySpan<int> lengths, int batch, int length)
    {
        long clock = StepProfiler.Start();
        int d = Encoder.Config.ModelDimension;
        PoolingLayer.Forward(Pooling, Encoder.Output, lengths, _pooled, batch, length, d);
        LinearLayer.Forward(_pooled, HeadWeight.Value, HeadBias.Value, _logits, batch, d, Classes, Threads);
        CrossEntropyLoss.Softmax(_logits, _probs, batch, Classes);
        StepProfiler.Stop(StepPart.HeadAndLoss, false, clock);
        return _probs.AsSpan(0, batch * Classes);
    }

    /// <summary>Logits [B,C] of the last forward.</summary>
    public ReadOnlySpan<float> Logits => _logits.AsSpan(0, Encoder.BatchSize * Classes);

    /// <summary>Pooled sequence embeddings [B,D] of the last forward.</summary>
    public ReadOnlySpan<float> Pooled => _pooled.AsSpan(0, Encoder.BatchSize * Encoder.Config.ModelDimension);

    /// <summary>
    /// Cross-entropy of the last forward against labels[B] (torch semantics; optional class weights [C] and label
    /// smoothing), storing dL/dlogits for <see cref="Backward"/>.
    /// </summary>
    public double Loss(ReadOnlySpan<int> labels, float[]? classWeights = null, float labelSmoothing = 0f)
    {
        long clock = StepProfiler.Start();
        double loss = CrossEntropyLoss.Forward(_logits, _probs, labels, Encoder.BatchSize, Classes, classWeights, labelSmoothing, _dLogits);
        StepProfiler.Stop(StepPart.HeadAndLoss, false, clock);
        return loss;
    }

    /// <summary>Back-propagates the last <see cref="Loss"/>, adding into every parameter's gradient.</summary>
    public void Backward()
    {
        long clock = StepProfiler.Start();
        int batch = Encoder.BatchSize, length = Encoder.Length, d = Encoder.Config.ModelDimension;
        LinearLayer.Backward(_pooled, HeadWeight.Value, _dLogits, _dPooled, HeadWeight.Grad, HeadBias.Grad, batch, d, Classes, Threads);
        PoolingLayer.Backward(Pooling, _dPooled, Encoder.Lengths, _dHidden, batch, length, d);
        StepProfiler.Stop(StepPart.HeadAndLoss, true, clock);
        Encoder.Backward(_dHidden);
    }

    /// <summary>
    /// Opt-in: <see cref="ZeroGrad"/> clears only the token-embedding rows the last backward passes wrote (see
    /// <see cref="TransformerEncoder.TokenRows"/>) instead of the whole V x D gradient. Valid while nothing but the model's
    /// own backward writes that gradient; pairs with <see cref="AdamW.UpdateRowsOnly"/>.
    /// </summary>
    public bool SparseEmbeddingGradients { get; set; }

    /// <summary>Clears every parameter gradient (only the touched embedding rows with <see cref="SparseEmbeddingGradients"/>).</summary>
    public void ZeroGrad()
    {
        long clock = StepProfiler.Start();
        Encoder.ZeroGrad(SparseEmbeddingGradients);
        // Indexed loop: foreach over an IReadOnlyList boxes its enumerator, and a step must not allocate.
        HeadWeight.ZeroGrad();
        HeadBias.ZeroGrad();
        StepProfiler.Stop(StepPart.ZeroGrad, true, clock);
    }

    /// <summary>
    /// Class probabilities of one sequence (at most MaxTokens ids) into <paramref name="probabilities"/> [C], with no
    /// allocation once the buffers exist: the low-latency path for single requests. With <see cref="Threads"/> &gt; 1 the
    /// larger products and the attention heads are shared with the engine's spinning helper threads (small work stays
    /// on the caller; a caller that finds the helpers busy runs alone); set Threads to 1 to keep a request on its thread.
    /// </summary>
    public void Predict(ReadOnlySpan<int> tokens, Span<float> probabilities)
    {
        if (tokens.Length == 0)
        {
            throw new ArgumentException("A sequence needs at least one token.", nameof(tokens));
        }
        if (probabilities.Length < Classes)
        {
            throw new ArgumentException($"probabilities must hold {Classes} values.", nameof(probabilities));
        }
        _one[0] = tokens.Length;
        Infer(tokens, _one, 1, tokens.Length)[..Classes].CopyTo(probabilities);
    }

    /// <summary>
    /// Class probabilities of a batch of sequences into <paramref name="probabilities"/> [count, C], in batches of up
    /// to <paramref name="batchSize"/> padded to their longest member. Sequences longer than MaxTokens are rejected.
    /// </summary>
    public void Predict(IReadOnlyList<int[]> sequences, float[] probabilities, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Length < sequences.Count * Classes)
        {
            throw new ArgumentException($"probabilities must hold {sequences.Count} x {Classes} values.", nameof(probabilities));
        }
        var batch = new PaddedBatch(batchSize, Encoder.Config.MaxTokens);
        for (int start = 0; start < sequences.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, sequences.Count - start);
            batch.Fill(sequences, start, n, null);
            Infer(batch.Ids, batch.Lengths, n, batch.Length).CopyTo(probabilities.AsSpan(start * Classes));
        }
    }
}
