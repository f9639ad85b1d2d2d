using MLComponents.TorchSharp.Position;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// One pre-LayerNorm block, as the managed engine computes it: middle = x + drop(out(attention(qkv(norm1(x))))),
/// output = middle + drop(down(gelu(up(norm2(middle))))). Attention: fused qkv (q, k, v in that order, head h at
/// columns h*dh.. of each), the scheme's q/k hook, logits = q k^T / sqrt(dh), the logit hook, padded keys masked,
/// softmax, dropout on the probabilities, probs @ v, the value hook, heads merged. GELU is the exact (erf) form and
/// LayerNorm uses eps 1e-5, as the engine. Parameter names: norm1.*, attention.qkv.*, attention.out.*, norm2.*,
/// ffn.up.*, ffn.down.* (under "layers.{l}." in the encoder).
/// </summary>
public sealed class TorchEncoderBlock : nn.Module
{
    private readonly int _layer, _dim, _heads;
    private readonly LayerNorm _norm1, _norm2;
    private readonly Linear _qkv, _out, _up, _down;

    internal TorchEncoderBlock(int layer, int dim, int heads, int feedForward) : base("block")
    {
        _layer = layer;
        _dim = dim;
        _heads = heads;
        _norm1 = nn.LayerNorm(dim, eps: 1e-5);
        _norm2 = nn.LayerNorm(dim, eps: 1e-5);
        _qkv = nn.Linear(dim, 3 * dim);
        _out = nn.Linear(dim, dim);
        _up = nn.Linear(dim, feedForward);
        _down = nn.Linear(feedForward, dim);
        register_module("norm1", _norm1);
        register_module("attention", new Group("attention", ("qkv", _qkv), ("out", _out)));
        register_module("norm2", _norm2);
        register_module("ffn", new Group("ffn", ("up", _up), ("down", _down)));
    }

    /// <param name="x">Block input [B,T,D].</param>
    /// <param name="position">The scheme's hooks.</param>
    /// <param name="dropout">Dropout masks, or null (evaluation).</param>
    /// <param name="batch">The batch's geometry.</param>
    /// <param name="logitScales">
    /// Null: q.k logits x 1/sqrt(dh). Otherwise [B,1,1,1] per-sequence factors (log-length scaling): replacing 1/sqrt(dh) on
    /// q.k, the logit hook still receiving 1/sqrt(dh) as in the engine (position biases unscaled); or, with
    /// <paramref name="wholeLogit"/>, multiplying the whole logit after the hook.
    /// </param>
    /// <param name="wholeLogit">Whether <paramref name="logitScales"/> multiplies the whole logit (position biases too).</param>
    internal Tensor Forward(Tensor x, TorchPositionScheme position, DropoutSource? dropout, TorchBatch batch, Tensor? logitScales = null,
        bool wholeLogit = false)
    {
        int b = batch.Batch, t = batch.Length, dh = _dim / _heads;
        Checked.Shape(x, $"block {_layer} input", b, t, _dim);
        var qkv = _qkv.call(_norm1.call(x)).view(b, t, 3, _heads, dh).permute(2, 0, 3, 1, 4); // [3, B, H, T, dh]
        var (q, k) = position.QueryKey(_layer, qkv[0], qkv[1], batch);
        var v = qkv[2];
        float scale = 1f / MathF.Sqrt(dh);
        var products = Checked.MatMul(q, k.transpose(-1, -2), "attention logits");
        var logits = logitScales is null || wholeLogit ? products * scale : products * logitScales;
        logits = position.Logits(_layer, logits, q, scale, batch);
        if (wholeLogit && logitScales is not null)
        {
            logits = logits * logitScales;
        }
        if (batch.KeyPadding is { } padded)
        {
            logits = logits.masked_fill(padded, float.NegativeInfinity);
        }
        var probabilities = nn.functional.softmax(logits, -1);
        if (dropout is not null)
        {
            probabilities = dropout.Apply(probabilities, _layer, 0);
        }
        var heads = Checked.MatMul(probabilities, v, "attention values");
        heads = position.Values(_layer, probabilities, heads, batch);
        var merged = heads.transpose(1, 2).reshape(b, t, _dim);
        var attended = _out.call(merged);
        if (dropout is not null)
        {
            attended = dropout.Apply(attended, _layer, 1);
        }
        var middle = x + attended;
        var fed = _down.call(nn.functional.gelu(_up.call(_norm2.call(middle))));
        if (dropout is not null)
        {
            fed = dropout.Apply(fed, _layer, 2);
        }
        return middle + fed;
    }

    /// <inheritdoc/>
    protected override void RegisterComponents()
    {
        // Registered by name in the constructor (the managed parameter names), not by field name.
    }

    /// <summary>A named container of layers, for the "attention.*" and "ffn.*" names.</summary>
    internal sealed class Group : nn.Module
    {
        public Group(string name, params (string Name, nn.Module Module)[] children) : base(name)
        {
            foreach (var (childName, module) in children)
            {
                register_module(childName, module);
            }
        }

        protected override void RegisterComponents()
        {
        }
    }
}
