using System.Numerics.Tensors;
using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// A pre-LayerNorm Transformer encoder: token embedding, the position scheme's hooks, L blocks of
/// [LayerNorm, fused-QKV multi-head self-attention with padding mask, output projection, dropout, residual;
/// LayerNorm, Linear D-&gt;F, GELU, Linear F-&gt;D, dropout, residual], and a final LayerNorm. Output is
/// h[B,T,D] (<see cref="Output"/>); heads (classifier, sentence pooling) sit on top and call
/// <see cref="Backward"/> with dL/dh. Buffers are planned once for the largest batch seen and reused.
/// Not thread-safe: one forward/backward at a time.
/// </summary>
public sealed class TransformerEncoder
{
    private readonly EncoderBlock[] _blocks;
    private EncoderWorkspace? _ws;
    private int _batch, _length;
    private int[] _lengths = [];
    private ulong _dropoutBase;
    private bool _training;
    private bool _kept;
    private int[] _ids = [];
    private int[] _positions = [];
    private bool[] _marks = [];
    private bool _positionsUsed;

    /// <summary>
    /// Builds an encoder with seeded initial weights: token embeddings normal(0, <see cref="TransformerConfig.EmbeddingInitStd"/>),
    /// GPT-style normal(0, 0.02) linear weights, zero biases, unit LayerNorm gains. <paramref name="positionEncoding"/> null means <see cref="PositionEncoding.None"/>.
    /// </summary>
    public TransformerEncoder(TransformerConfig config, PositionEncoding? positionEncoding, int seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Seed = seed;
        PositionEncoding = positionEncoding ?? PositionEncoding.None();
        Position = PositionEncoding.CreateModule(
            new PositionModuleShape(config.ModelDimension, config.Heads, config.Layers, config.PositionCapacity), seed);
        if (config.RandomizedPositions > 0 && !Position.SupportsExplicitPositions)
        {
            throw new ArgumentException(
                $"Option 'RandomizedPositions' ({config.RandomizedPositions}) needs a scheme that reads explicit positions (rope, alibi, fire); " +
                $"'{PositionEncoding.Kind}' indexes by token number.", "RandomizedPositions");
        }
        TokenWidth = Position.TokenEmbeddingWidth(config.ModelDimension);
        var rng = new Random(seed);
        TokenEmbedding = ParameterInit.Normal("token_embedding.weight", [config.Vocabulary, TokenWidth], rng, config.EmbeddingInitStd);
        _blocks = new EncoderBlock[config.Layers];
        for (int l = 0; l < config.Layers; l++)
        {
            _blocks[l] = new EncoderBlock(l, config, rng);
        }
        FinalGain = ParameterInit.Ones("final_norm.weight", [config.ModelDimension]);
        FinalBias = ParameterInit.Zeros("final_norm.bias", [config.ModelDimension]);
        var list = new List<Parameter> { TokenEmbedding };
        list.AddRange(Position.Parameters);
        foreach (var b in _blocks)
        {
            list.AddRange(b.Parameters);
        }
        list.Add(FinalGain);
        list.Add(FinalBias);
        Parameters = list;
        TokenRows = new TouchedRows(config.Vocabulary);
        CheckUniqueNames(list);
    }

    /// <summary>Geometry.</summary>
    public TransformerConfig Config { get; }

    /// <summary>The seed of the initial weights and of the dropout masks.</summary>
    public int Seed { get; }

    /// <summary>The position scheme.</summary>
    public PositionEncoding PositionEncoding { get; }

    /// <summary>The scheme's runtime module (its parameters are part of <see cref="Parameters"/>).</summary>
    public PositionModule Position { get; }

    /// <summary>Token-embedding width (D, or less when the scheme concatenates its own features).</summary>
    public int TokenWidth { get; }

    /// <summary>Token embedding table [V, TokenWidth].</summary>
    public Parameter TokenEmbedding { get; }

    /// <summary>
    /// Token-embedding rows that <see cref="Backward"/> has written gradients to since the owner's last gradient clear
    /// (the model's ZeroGrad resets it): the rows a sparse embedding update visits.
    /// </summary>
    public TouchedRows TokenRows { get; }

    /// <summary>Final LayerNorm gain.</summary>
    public Parameter FinalGain { get; }

    /// <summary>Final LayerNorm bias.</summary>
    public Parameter FinalBias { get; }

    /// <summary>All learned tensors in a fixed order, with stable unique names.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Threads for matrix products and row loops (results are bit-identical for a given count).</summary>
    public int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _threads = value;
            Position.Threads = value; // position hooks share the model's thread budget
        }
    }

    private int _threads = 1;

    /// <summary>The final hidden states h[B,T,D] of the last <see cref="Forward"/> (prefix of a planned buffer).</summary>
    public float[] Output => Workspace.Final;

    /// <summary>The lengths of the last forward batch.</summary>
    public ReadOnlySpan<int> Lengths => _lengths;

    /// <summary>Batch size of the last forward.</summary>
    public int BatchSize => _batch;

    /// <summary>Padded length of the last forward.</summary>
    public int Length => _length;

    /// <summary>Tests: run every pass over the whole batch, never a group of sequences at a time (<see cref="SequenceGroupLayer"/>).</summary>
    internal bool ForceLayerByLayer { get; set; }

    private EncoderWorkspace Workspace => _ws ?? throw new InvalidOperationException("Call Forward first.");

    /// <summary>
    /// Plans buffers for up to <paramref name="batch"/> sequences of up to <see cref="TransformerConfig.MaxTokens"/>
    /// tokens. Forward does this on demand; call it up front so the first step does not allocate mid-training.
    /// </summary>
    public void Plan(int batch)
    {
        if (_ws is null || _ws.Batch < batch || _ws.NormScratch.Length < 2 * Config.ModelDimension * Threads)
        {
            _ws = new EncoderWorkspace(Config, TokenWidth, Math.Max(batch, _ws?.Batch ?? 0), Config.MaxTokens, Threads);
        }
    }

    /// <summary>
    /// Runs the encoder on ids[B,T] (row-major, padded; entries past each length are ignored) with lengths[B]
    /// (1..T). <paramref name="training"/> turns dropout on; <paramref name="step"/> picks the dropout masks
    /// (same seed and step give the same masks). The ids span must stay unchanged until <see cref="Backward"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int length, bool training, long step = 0) =>
        Run(ids, lengths, batch, length, training, keep: true, step);

    /// <summary>
    /// Inference: <see cref="Forward"/> without dropout that keeps nothing for a backward, so it runs in less memory
    /// (every layer reuses the first layer's buffers; attention works in per-thread scratch that stays in cache). The
    /// hidden states are the same bits as <c>Forward(training: false)</c>; <see cref="Backward"/> after it throws.
    /// </summary>
    public void Infer(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int length) =>
        Run(ids, lengths, batch, length, training: false, keep: false, step: 0);

    private void Run(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int length, bool training, bool keep, long step)
    {
        if (batch <= 0 || length <= 0 || length > Config.MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Batch {batch} x length {length} is outside 1..{Config.MaxTokens} tokens.");
        }
        if (ids.Length < batch * length || lengths.Length < batch)
        {
            throw new ArgumentException($"ids must hold batch*length = {batch * length} entries and lengths {batch}.", nameof(ids));
        }
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > length)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"Sequence {b} has length {lengths[b]}, outside 1..{length}.");
            }
        }
        Plan(batch);
        var ws = Workspace;
        _batch = batch;
        _length = length;
        _lengths = ws.LengthsFor(lengths, batch);
        _training = training;
        _kept = keep;
        _dropoutBase = DropoutLayer.Key(Seed, step, 0);
        if (_ids.Length < ws.Batch * ws.Length)
        {
            _ids = new int[ws.Batch * ws.Length];
        }
        ids[..(batch * length)].CopyTo(_ids);
        _positionsUsed = training && Config.RandomizedPositions > 0;
        if (_positionsUsed)
        {
            SamplePositions(_lengths, batch, length, step);
        }
        var pb = Batch(batch, length);
        int rows = batch * length, d = Config.ModelDimension, f = Config.FeedForwardDimension, threads = Threads;
        float p = training ? Config.Dropout : 0f;

        long clock = StepProfiler.Start();
        if (DirectEmbedding)
        {
            // No embedding hook: the base hook would only copy tokens to x, so the lookup writes x itself.
            EmbeddingLayer.Forward(ids, _lengths, TokenEmbedding.Value, Config.Vocabulary, ws.Embedded, batch, length, TokenWidth, threads);
        }
        else
        {
            EmbeddingLayer.Forward(ids, _lengths, TokenEmbedding.Value, Config.Vocabulary, ws.Tokens, batch, length, TokenWidth, threads);
            Position.ForwardEmbeddings(ws.Tokens, ws.Embedded, pb, d);
        }
        clock = StepProfiler.Stop(StepPart.Embedding, false, clock);
        float[] x = ws.Embedded;
        // Without dropout and with a scheme whose attention runs sequence by sequence: each layer a group of sequences at a time.
        IRowRotation? rotation = null;
        bool byGroups = p == 0 && !ForceLayerByLayer && FeedForwardBlocks.Applies(rows) && FusedAttention.RunsBySequence(Position, pb, d / Config.Heads, out rotation);
        for (int l = 0; l < _blocks.Length; l++)
        {
            var w = _blocks[l];
            if (byGroups)
            {
                var layer = keep ? ws.Blocks[l] : ws.Blocks[0];
                SequenceGroupLayer.Forward(w, layer, x, pb, rotation, d, Config.Heads, f, threads, keep);
                clock = StepProfiler.StopShared(backward: false, clock);
                x = layer.Output;
                continue;
            }

            // Kept for a backward, each layer has its own buffers. Inference runs every layer in the first layer's, one
            // layer's working set instead of all of them (x, the previous output, is read before the down projection
            // overwrites it).
            var a = keep ? ws.Blocks[l] : ws.Blocks[0];
            LayerNormLayer.Forward(x, w.Norm1Gain.Value, w.Norm1Bias.Value, a.Norm1, a.Norm1Mean, a.Norm1Rstd, rows, d, threads);
            clock = StepProfiler.Stop(StepPart.LayerNorm, false, clock);
            LinearLayer.Forward(a.Norm1, w.QkvWeight.Value, w.QkvBias.Value, a.Qkv, rows, d, 3 * d, threads);
            clock = StepProfiler.Stop(StepPart.QkvProjection, false, clock);
            AttentionLayer.Forward(l, a.Qkv, a.Merged, a.Attention, Position, pb, d, Config.Heads, p, SiteKey(l, 0), training, threads, keep);
            clock = StepProfiler.Stop(StepPart.Attention, false, clock);
            if (p > 0)
            {
                LinearLayer.Forward(a.Merged, w.OutWeight.Value, w.OutBias.Value, a.Middle, rows, d, d, threads);
                clock = StepProfiler.Stop(StepPart.OutProjection, false, clock);
                DropoutLayer.Apply(a.Middle, a.Middle, 0, rows * d, p, SiteKey(l, 1));
                TensorPrimitives.Add(a.Middle.AsSpan(0, rows * d), x.AsSpan(0, rows * d), a.Middle.AsSpan(0, rows * d));
                clock = StepProfiler.Stop(StepPart.Residual, false, clock);
            }
            else
            {
                // No dropout: the residual is added by the product on each finished tile.
                LinearLayer.Forward(a.Merged, w.OutWeight.Value, w.OutBias.Value, a.Middle, null, rows, d, d, threads, residual: x);
                clock = StepProfiler.Stop(StepPart.OutProjection, false, clock);
            }
            LayerNormLayer.Forward(a.Middle, w.Norm2Gain.Value, w.Norm2Bias.Value, a.Norm2, a.Norm2Mean, a.Norm2Rstd, rows, d, threads);
            clock = StepProfiler.Stop(StepPart.LayerNorm, false, clock);
            if (!keep && FeedForwardBlocks.Applies(rows))
            {
                // Inference: both products a block of rows at a time, the hidden block never leaving the cache.
                FeedForwardBlocks.Forward(a.Norm2, w.UpWeight.Value, w.UpBias.Value, w.DownWeight.Value, w.DownBias.Value, a.Middle, a.Output,
                    rows, d, f, threads);
                clock = StepProfiler.Stop(StepPart.FeedForwardBlocks, false, clock);
                x = a.Output;
                continue;
            }
            // The up projection writes gelu(up) from each finished tile: GELU costs no pass of its own.
            LinearLayer.Forward(a.Norm2, w.UpWeight.Value, w.UpBias.Value, a.Up, a.Gelu, rows, d, f, threads);
            clock = StepProfiler.Stop(StepPart.FeedForwardUp, false, clock);
            if (p > 0)
            {
                LinearLayer.Forward(a.Gelu, w.DownWeight.Value, w.DownBias.Value, a.Output, rows, f, d, threads);
                clock = StepProfiler.Stop(StepPart.FeedForwardDown, false, clock);
                DropoutLayer.Apply(a.Output, a.Output, 0, rows * d, p, SiteKey(l, 2));
                TensorPrimitives.Add(a.Output.AsSpan(0, rows * d), a.Middle.AsSpan(0, rows * d), a.Output.AsSpan(0, rows * d));
                clock = StepProfiler.Stop(StepPart.Residual, false, clock);
            }
            else
            {
                LinearLayer.Forward(a.Gelu, w.DownWeight.Value, w.DownBias.Value, a.Output, null, rows, f, d, threads, residual: a.Middle);
                clock = StepProfiler.Stop(StepPart.FeedForwardDown, false, clock);
            }
            x = a.Output;
        }
        LayerNormLayer.Forward(x, FinalGain.Value, FinalBias.Value, ws.Final, ws.FinalMean, ws.FinalRstd, rows, d, threads);
        StepProfiler.Stop(StepPart.LayerNorm, false, clock);
    }

    /// <summary>
    /// Back-propagates dL/dh[B,T,D] (same geometry as the last <see cref="Forward"/>) and ADDS every parameter's
    /// gradient into <see cref="Parameter.Grad"/>. <paramref name="dOutput"/> is not modified.
    /// </summary>
    public void Backward(float[] dOutput)
    {
        if (!_kept)
        {
            throw new InvalidOperationException("Backward needs the activations of Forward; the last pass was Infer, which keeps none.");
        }
        var ws = Workspace;
        int batch = _batch, length = _length, rows = batch * length, d = Config.ModelDimension, f = Config.FeedForwardDimension, threads = Threads;
        var pb = Batch(batch, length);
        float p = _training ? Config.Dropout : 0f;
        float[] lastOut = _blocks.Length > 0 ? ws.Blocks[^1].Output : ws.Embedded;
        long clock = StepProfiler.Start();
        LayerNormLayer.Backward(lastOut, FinalGain.Value, ws.FinalMean, ws.FinalRstd, dOutput, ws.DResidual,
            FinalGain.Grad, FinalBias.Grad, ws.NormScratch, rows, d, threads);
        clock = StepProfiler.Stop(StepPart.LayerNorm, true, clock);
        for (int l = _blocks.Length - 1; l >= 0; l--)
        {
            var w = _blocks[l];
            var a = ws.Blocks[l];
            float[] x = l == 0 ? ws.Embedded : ws.Blocks[l - 1].Output;
            // out = middle + drop(down(gelu(up(norm2(middle)))))
            // Without dropout the branch gradient is the residual gradient itself (read-only here), so no copy.
            float[] dBranch = DropOrAlias(ws.DResidual, ws.DBranch, rows * d, p, SiteKey(l, 2));
            clock = StepProfiler.Stop(StepPart.Residual, true, clock);
            // dHidden goes on through the GELU in the product that makes it (no pass of its own).
            LinearLayer.Backward(a.Gelu, w.DownWeight.Value, dBranch, ws.DHidden, w.DownWeight.Grad, w.DownBias.Grad, rows, f, d, threads,
                geluInput: a.Up);
            clock = StepProfiler.Stop(StepPart.FeedForwardDown, true, clock);
            LinearLayer.Backward(a.Norm2, w.UpWeight.Value, ws.DHidden, ws.DNorm, w.UpWeight.Grad, w.UpBias.Grad, rows, d, f, threads);
            clock = StepProfiler.Stop(StepPart.FeedForwardUp, true, clock);
            LayerNormLayer.Backward(a.Middle, w.Norm2Gain.Value, a.Norm2Mean, a.Norm2Rstd, ws.DNorm, ws.DResidual,
                w.Norm2Gain.Grad, w.Norm2Bias.Grad, ws.NormScratch, rows, d, threads, accumulateInput: true);
            clock = StepProfiler.Stop(StepPart.LayerNorm, true, clock);
            // middle = x + drop(out(attention(qkv(norm1(x)))))
            dBranch = DropOrAlias(ws.DResidual, ws.DBranch, rows * d, p, SiteKey(l, 1));
            clock = StepProfiler.Stop(StepPart.Residual, true, clock);
            LinearLayer.Backward(a.Merged, w.OutWeight.Value, dBranch, ws.DNorm, w.OutWeight.Grad, w.OutBias.Grad, rows, d, d, threads);
            clock = StepProfiler.Stop(StepPart.OutProjection, true, clock);
            AttentionLayer.Backward(l, ws.DNorm, ws.DQkv, a.Attention, ws.AttentionGrads, Position, pb, d, Config.Heads, p, SiteKey(l, 0), _training, threads);
            clock = StepProfiler.Stop(StepPart.Attention, true, clock);
            LinearLayer.Backward(a.Norm1, w.QkvWeight.Value, ws.DQkv, ws.DNorm, w.QkvWeight.Grad, w.QkvBias.Grad, rows, d, 3 * d, threads);
            clock = StepProfiler.Stop(StepPart.QkvProjection, true, clock);
            LayerNormLayer.Backward(x, w.Norm1Gain.Value, a.Norm1Mean, a.Norm1Rstd, ws.DNorm, ws.DResidual,
                w.Norm1Gain.Grad, w.Norm1Bias.Grad, ws.NormScratch, rows, d, threads, accumulateInput: true);
            clock = StepProfiler.Stop(StepPart.LayerNorm, true, clock);
        }
        if (DirectEmbedding)
        {
            EmbeddingLayer.Backward(_ids, _lengths, ws.DResidual, TokenEmbedding.Grad, batch, length, TokenWidth, TokenRows, threads);
        }
        else
        {
            Position.BackwardEmbeddings(ws.DResidual, ws.DTokens, pb, d);
            EmbeddingLayer.Backward(_ids, _lengths, ws.DTokens, TokenEmbedding.Grad, batch, length, TokenWidth, TokenRows, threads);
        }
        StepProfiler.Stop(StepPart.Embedding, true, clock);
    }

    /// <summary>
    /// Clears every parameter gradient; with <paramref name="sparseEmbedding"/> only the token-embedding rows in
    /// <see cref="TokenRows"/> (the only ones a backward writes), which holds as long as nothing else writes that gradient.
    /// </summary>
    internal void ZeroGrad(bool sparseEmbedding)
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (sparseEmbedding && ReferenceEquals(p, TokenEmbedding))
            {
                int width = TokenWidth;
                foreach (int row in TokenRows.Rows)
                {
                    p.Grad.AsSpan(row * width, width).Clear();
                }
            }
            else if (p.Length >= 2 * ClearChunk && Threads > 1)
            {
                var clear = new ClearChunks(p.Grad);
                Parallelism.For(Threads, (p.Length + ClearChunk - 1) / ClearChunk, ref clear);
            }
            else
            {
                p.ZeroGrad();
            }
        }

        TokenRows.Reset();
    }

    private const int ClearChunk = 1 << 16;

    private readonly struct ClearChunks(float[] grad) : IRangeWork
    {
        public void Run(int start, int end) =>
            grad.AsSpan(start * ClearChunk, Math.Min(grad.Length, end * ClearChunk) - (start * ClearChunk)).Clear();
    }

    /// <summary>True when the scheme has no embedding hook, so token embeddings are the blocks' input as they are.</summary>
    /// <summary>The positions of the last forward ([B,T] row-major), or null when they were 0..n-1.</summary>
    public ReadOnlySpan<int> Positions => _positionsUsed ? _positions.AsSpan(0, _batch * _length) : default;

    private PositionBatch Batch(int batch, int length) => new(batch, length, _lengths)
    {
        Positions = _positionsUsed ? _positions : null,
        LogLengthScale = Config.LogLengthScale,
        LogLengthScaleBiases = Config.LogLengthScaleBiases,
    };

    private void SamplePositions(int[] lengths, int batch, int length, long step)
    {
        if (_positions.Length < batch * length) _positions = new int[Math.Max(batch * length, _positions.Length * 2)];
        if (_marks.Length < Config.RandomizedPositions) _marks = new bool[Config.RandomizedPositions];
        SampleBatchPositions(_positions, lengths, batch, length, Config.RandomizedPositions, Seed, step, _marks);
    }

    /// <summary>
    /// Randomized positions for one training batch (both backends draw them here, so they train on the same ones): sequence b
    /// of n real tokens gets a sorted sample of n distinct integers from [0, <paramref name="range"/>) (Floyd's sampling, then
    /// a scan of the marks, so no allocation), drawn from a stream keyed by the seed, the step and b; padded slots repeat the
    /// last real position. A sequence longer than the range keeps 0..n-1. <paramref name="positions"/> receives [B,T]
    /// row-major; <paramref name="marks"/> (at least range entries, all false) is left all false.
    /// </summary>
    internal static void SampleBatchPositions(Span<int> positions, ReadOnlySpan<int> lengths, int batch, int length, int range, int seed, long step, bool[] marks)
    {
        for (int b = 0; b < batch; b++)
        {
            var row = positions.Slice(b * length, length);
            int n = lengths[b];
            SampleSortedPositions(row[..n], range, PositionStream(seed, step, b), marks);
            row[n..].Fill(row[n - 1]);
        }
    }

    /// <summary>
    /// Fills <paramref name="positions"/> (n entries) with a sorted sample of n distinct integers from [0, <paramref name="range"/>)
    /// drawn from <paramref name="state"/> (SplitMix64), or 0..n-1 when n exceeds the range. <paramref name="marks"/> (at least
    /// range entries, all false) is left all false.
    /// </summary>
    internal static void SampleSortedPositions(Span<int> positions, int range, ulong state, bool[] marks)
    {
        int n = positions.Length;
        if (n > range)
        {
            for (int i = 0; i < n; i++) positions[i] = i;
            return;
        }
        // Floyd: for j in [range - n, range), draw x in [0, j]; take x, or j when x is taken already.
        for (int j = range - n; j < range; j++)
        {
            int x = (int)(NextRandom(ref state) % (ulong)(j + 1));
            marks[marks[x] ? j : x] = true;
        }
        int k = 0;
        for (int v = 0; v < range && k < n; v++)
        {
            if (!marks[v]) continue;
            marks[v] = false;
            positions[k++] = v;
        }
    }

    internal static ulong PositionStream(int seed, long step, int sequence) =>
        ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)step * 0xBF58476D1CE4E5B9UL) ^ ((ulong)(uint)sequence * 0x94D049BB133111EBUL) ^ 0x5851F42D4C957F2DUL;

    private static ulong NextRandom(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private bool DirectEmbedding => !Position.HasEmbeddingHook && TokenWidth == Config.ModelDimension;

    private ulong SiteKey(int layer, int site) => _dropoutBase + (ulong)(layer * 3 + site + 1) * 0x9E3779B97F4A7C15UL;

    /// <summary>dropout(src) into dst when p &gt; 0; otherwise src itself (the caller only reads it).</summary>
    private static float[] DropOrAlias(float[] src, float[] dst, int count, float p, ulong key)
    {
        if (p > 0)
        {
            DropoutLayer.Apply(src, dst, 0, count, p, key);
            return dst;
        }

        return src;
    }

    private static void CheckUniqueNames(List<Parameter> list)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in list)
        {
            if (!seen.Add(p.Name))
            {
                throw new InvalidOperationException($"Duplicate parameter name '{p.Name}' (a position module reused an engine name).");
            }
        }
    }
}
