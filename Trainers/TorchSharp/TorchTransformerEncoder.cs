using MLComponents.Engine;
using MLComponents.TorchSharp.Position;
using TorchSharp;
using Embedding = TorchSharp.Modules.Embedding;
using LayerNorm = TorchSharp.Modules.LayerNorm;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// The managed <see cref="TransformerEncoder"/> as TorchSharp modules with autograd: token embedding (zero at padded
/// positions), the position scheme's hooks, pre-LN blocks and a final LayerNorm. Built from a managed encoder, whose
/// geometry, scheme and parameter names it takes: <c>named_parameters()</c> yields the managed names and shapes, in the
/// managed order, so weights copy one to one either way (<see cref="ParameterTransfer"/>).
/// </summary>
public sealed class TorchTransformerEncoder : nn.Module
{
    private readonly Embedding _tokens;
    private readonly TorchEncoderBlock[] _blocks;
    private readonly LayerNorm _final;

    /// <summary>Builds the modules for <paramref name="source"/>'s geometry and scheme and copies its weights.</summary>
    public TorchTransformerEncoder(MLComponents.Engine.TransformerEncoder source) : base("encoder")
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeRuntime.EnsureLoaded();
        Config = source.Config;
        Seed = source.Seed;
        PositionEncoding = source.PositionEncoding;
        int d = Config.ModelDimension;
        Position = TorchPositionSchemes.Create(source.PositionEncoding, source.Position, d, Config.Heads);
        TokenWidth = Position.TokenEmbeddingWidth(d);
        if (TokenWidth != source.TokenWidth)
        {
            throw new InvalidOperationException($"Token width {TokenWidth} differs from the managed encoder's {source.TokenWidth}.");
        }
        _tokens = nn.Embedding(Config.Vocabulary, TokenWidth);
        _blocks = new TorchEncoderBlock[Config.Layers];
        for (int l = 0; l < _blocks.Length; l++)
        {
            _blocks[l] = new TorchEncoderBlock(l, d, Config.Heads, Config.FeedForwardDimension);
        }
        _final = nn.LayerNorm(d, eps: 1e-5);
        // Registration order = the managed order: token embedding, position, blocks, final norm.
        register_module("token_embedding", _tokens);
        register_module("position", Position);
        register_module("layers", new TorchEncoderBlock.Group("layers", [.. _blocks.Select((b, l) => (l.ToString(System.Globalization.CultureInfo.InvariantCulture), (nn.Module)b))]));
        register_module("final_norm", _final);
        ParameterTransfer.CopyToTorch(source.Parameters, this);
    }

    /// <summary>Geometry (the managed encoder's).</summary>
    public TransformerConfig Config { get; }

    /// <summary>The managed encoder's seed (keys the randomized positions of each training step, as the engine does).</summary>
    public int Seed { get; }

    /// <summary>
    /// A training batch's randomized positions (<see cref="TransformerConfig.RandomizedPositions"/>): the engine's own draw for
    /// this seed and step, so both backends train on the same positions; the batch unchanged when the option is off.
    /// </summary>
    internal TorchBatch WithTrainingPositions(TorchBatch batch, long step)
    {
        int range = Config.RandomizedPositions;
        if (range == 0)
        {
            return batch;
        }
        var positions = new int[batch.Batch * batch.Length];
        MLComponents.Engine.TransformerEncoder.SampleBatchPositions(positions, batch.Lengths, batch.Batch, batch.Length, range, Seed, step, new bool[range]);
        return batch.WithPositions(positions);
    }

    /// <summary>The position scheme.</summary>
    public PositionEncoding PositionEncoding { get; }

    /// <summary>The scheme's hooks (its learned tensors are "position.*" parameters of this module).</summary>
    public TorchPositionScheme Position { get; }

    /// <summary>Token-embedding width.</summary>
    public int TokenWidth { get; }

    /// <summary>Hidden states h[B,T,D] of a batch; <paramref name="dropout"/> null means no dropout (evaluation).</summary>
    internal Tensor Forward(TorchBatch batch, DropoutSource? dropout)
    {
        var x = _tokens.call(batch.Ids);
        if (batch.TokenMask is { } real)
        {
            x = x * real;
        }
        x = Position.Embed(x, batch);
        var logitScales = LogitScales(batch);
        foreach (var block in _blocks)
        {
            x = block.Forward(x, Position, dropout, batch, logitScales, Config.LogLengthScaleBiases);
        }
        return _final.call(x);
    }

    /// <summary>
    /// With log-length scaling on (<see cref="TransformerConfig.LogLengthScale"/>), each sequence's factor as [B,1,1,1]: on its
    /// q.k products, 1/sqrt(dh) x max(1, ln n / ln n0) (the engine's float product, per sequence of n real tokens), or, with
    /// <see cref="TransformerConfig.LogLengthScaleBiases"/>, max(1, ln n / ln n0) alone, for the whole logit after the
    /// position hook; null when off.
    /// </summary>
    private Tensor? LogitScales(TorchBatch batch)
    {
        if (Config.LogLengthScale == 0)
        {
            return null;
        }

        float scale = 1f / MathF.Sqrt(Config.ModelDimension / Config.Heads);
        var factors = new float[batch.Batch];
        for (int b = 0; b < factors.Length; b++)
        {
            float factor = MLComponents.Numerics.PositionBatch.LogLengthFactorOf(batch.Lengths[b], Config.LogLengthScale);
            factors[b] = Config.LogLengthScaleBiases ? factor : scale * factor;
        }
        return tensor(factors, [batch.Batch, 1, 1, 1], device: batch.Device);
    }

    /// <summary>Pools h[B,T,D] to [B,D]: the mean over real tokens, or the first token's state.</summary>
    internal static Tensor Pool(Tensor hidden, TorchBatch batch, Pooling pooling)
    {
        if (pooling == Pooling.Cls)
        {
            return hidden.select(1, 0);
        }
        if (batch.TokenMask is { } real)
        {
            var counts = tensor(Array.ConvertAll(batch.Lengths, n => (float)n), [batch.Batch, 1], device: batch.Device);
            return (hidden * real).sum(1) / counts;
        }
        return hidden.mean([1]);
    }

    /// <inheritdoc/>
    protected override void RegisterComponents()
    {
        // Registered by name in the constructor.
    }
}
