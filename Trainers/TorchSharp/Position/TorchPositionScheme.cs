using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ManagedParameter = MLComponents.Numerics.Parameter;

namespace MLComponents.TorchSharp.Position;

/// <summary>
/// A position-encoding scheme at its hooks in the TorchSharp encoder, with the maths of the managed
/// <see cref="MLComponents.Numerics.PositionModule"/> of the same scheme (autograd gives the backward passes). Its learned
/// tensors carry the managed names ("position.t5.bias", "position.shaw.key.0", ...): registered as the encoder's
/// "position" child, <c>named_parameters()</c> yields exactly the managed names. Tensors a scheme derives from the
/// batch geometry (tables, index maps) are cached per device and length.
/// </summary>
public abstract class TorchPositionScheme : nn.Module
{
    private const string Prefix = "position.";
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _cache = new(StringComparer.Ordinal);

    /// <summary>Registers a zero tensor for each of the managed module's parameters (values are copied in later, by name).</summary>
    private protected TorchPositionScheme(IReadOnlyList<ManagedParameter> managed) : base("position")
    {
        foreach (var p in managed)
        {
            if (!p.Name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Position parameter '{p.Name}' does not start with '{Prefix}'.");
            }
            var value = new Parameter(zeros(Array.ConvertAll(p.Shape, d => (long)d)));
            RegisterNested(this, p.Name[Prefix.Length..].Split('.'), value);
            _names.Add(p.Name);
        }
    }

    /// <summary>Width of the token embedding for model dimension D (D unless the scheme concatenates).</summary>
    public virtual int TokenEmbeddingWidth(int modelDimension) => modelDimension;

    /// <summary>Embeddings hook: x[B,T,D] from token embeddings tok[B,T,Dt].</summary>
    public virtual Tensor Embed(Tensor tokens, TorchBatch batch) => tokens;

    /// <summary>Query/key hook on q, k [B,H,T,dh] of one layer.</summary>
    public virtual (Tensor Queries, Tensor Keys) QueryKey(int layer, Tensor queries, Tensor keys, TorchBatch batch) => (queries, keys);

    /// <summary>Logit hook: logits [B,H,T,T] (already scaled by <paramref name="scale"/>) plus the scheme's term; q are the hooked queries.</summary>
    public virtual Tensor Logits(int layer, Tensor logits, Tensor queries, float scale, TorchBatch batch) => logits;

    /// <summary>Value hook: head outputs o [B,H,T,dh] plus the scheme's term from the (dropped-out) probabilities [B,H,T,T].</summary>
    public virtual Tensor Values(int layer, Tensor probabilities, Tensor output, TorchBatch batch) => output;

    /// <summary>
    /// The scheme's tensor with the managed name <paramref name="name"/>, looked up in the module tree on each use:
    /// moving the module to a device replaces its parameter objects.
    /// </summary>
    private protected Parameter Learned(string name) =>
        (_names.Contains(name) ? get_parameter(name[Prefix.Length..]) : null)
        ?? throw new InvalidOperationException($"The managed position module has no parameter '{name}'.");

    /// <summary>True when the managed module has a parameter <paramref name="name"/> (learned options).</summary>
    private protected bool Has(string name) => _names.Contains(name);

    /// <summary>|P(j) - P(i)| of a batch's explicit (randomized) positions, floats [B, T, T] (the relative-bias schemes' distance).</summary>
    private protected static float[] PositionDistances(TorchBatch batch)
    {
        int t = batch.Length;
        var d = new float[batch.Batch * t * t];
        for (int b = 0; b < batch.Batch; b++)
        {
            for (int i = 0; i < t; i++)
            {
                for (int j = 0; j < t; j++)
                {
                    d[(((b * t) + i) * t) + j] = Math.Abs(batch.Position(b, j) - batch.Position(b, i));
                }
            }
        }
        return d;
    }

    /// <summary>A constant made once per (device, key) and kept outside every dispose scope.</summary>
    private protected Tensor Cached(string key, Device device, Func<Tensor> make)
    {
        string full = TorchDevices.Name(device) + "|" + key;
        if (!_cache.TryGetValue(full, out var t))
        {
            using (NewDisposeScope())
            {
                t = make().to(device);
                t.DetachFromDisposeScope(); // the intermediates go with the scope; the table stays
            }
            _cache[full] = t;
        }
        return t;
    }

    /// <inheritdoc/>
    protected override void RegisterComponents()
    {
        // Parameters are registered by name in the constructor; fields must not be registered again under field names.
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in _cache.Values)
            {
                t.Dispose();
            }
            _cache.Clear();
        }
        base.Dispose(disposing);
    }

    private static void RegisterNested(nn.Module root, string[] path, Parameter value)
    {
        var node = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            var child = node.named_children().FirstOrDefault(c => c.name == path[i]).module;
            if (child is null)
            {
                child = new ParameterGroup(path[i]);
                node.register_module(path[i], child);
            }
            node = child;
        }
        node.register_parameter(path[^1], value);
    }

    /// <summary>A named node of the parameter tree ("position.shaw.key" holds "0", "1", ...).</summary>
    private sealed class ParameterGroup(string name) : nn.Module(name)
    {
        protected override void RegisterComponents()
        {
        }
    }
}
