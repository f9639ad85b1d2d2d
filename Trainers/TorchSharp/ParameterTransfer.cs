using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using ManagedParameter = MLComponents.Numerics.Parameter;

namespace MLComponents.TorchSharp;

/// <summary>
/// Copies weights between a managed model's <see cref="ManagedParameter"/> list and a TorchSharp module, by name: both
/// backends use the same names and shapes, so a model trained by either predicts with either (and the managed model is
/// what saves into the ML.NET model). Every name must exist on both sides with the same shape.
/// </summary>
public static class ParameterTransfer
{
    /// <summary>Managed values -> the module's parameters (on whatever device they live).</summary>
    public static void CopyToTorch(IReadOnlyList<ManagedParameter> source, nn.Module target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var torchParameters = Match(source, target);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < source.Count; i++)
        {
            var p = source[i];
            var t = torchParameters[i];
            t.copy_(tensor(p.Value, t.shape, dtype: ScalarType.Float32));
        }
    }

    /// <summary>The module's parameters -> managed values.</summary>
    public static void CopyToManaged(nn.Module source, IReadOnlyList<ManagedParameter> target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var torchParameters = Match(target, source);
        using var scope = NewDisposeScope();
        for (int i = 0; i < target.Count; i++)
        {
            Read(torchParameters[i], target[i].Value);
        }
    }

    /// <summary>
    /// The gradients autograd left in the module's parameters -> the managed parameters' <see cref="ManagedParameter.Grad"/>
    /// (overwritten; a parameter without a gradient reads as zeros). For checking one backend against the other.
    /// </summary>
    public static void CopyGradientsToManaged(nn.Module source, IReadOnlyList<ManagedParameter> target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var torchParameters = Match(target, source);
        using var scope = NewDisposeScope();
        for (int i = 0; i < target.Count; i++)
        {
            if (torchParameters[i].grad is { } g)
            {
                Read(g, target[i].Grad);
            }
            else
            {
                Array.Clear(target[i].Grad);
            }
        }
    }

    /// <summary>The module's parameters in the order of <paramref name="managed"/>, after checking names and shapes.</summary>
    internal static Parameter[] Match(IReadOnlyList<ManagedParameter> managed, nn.Module module)
    {
        var byName = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters())
        {
            byName[name] = p;
        }
        var result = new Parameter[managed.Count];
        for (int i = 0; i < managed.Count; i++)
        {
            var m = managed[i];
            if (!byName.Remove(m.Name, out var t))
            {
                throw new InvalidOperationException($"The TorchSharp model has no parameter '{m.Name}'.");
            }
            var shape = t.shape;
            if (!shape.SequenceEqual(m.Shape.Select(d => (long)d)))
            {
                throw new InvalidOperationException($"Parameter '{m.Name}' is [{string.Join(", ", m.Shape)}] in the managed model and [{string.Join(", ", shape)}] in the TorchSharp model.");
            }
            result[i] = t;
        }
        if (byName.Count > 0)
        {
            throw new InvalidOperationException($"The TorchSharp model has parameters the managed model lacks: {string.Join(", ", byName.Keys)}.");
        }
        return result;
    }

    private static void Read(Tensor t, float[] destination)
    {
        var host = t.detach().to(ScalarType.Float32).cpu().contiguous();
        if (host.numel() != destination.Length)
        {
            throw new InvalidOperationException($"Tensor of {host.numel()} values read into {destination.Length}.");
        }
        host.data<float>().CopyTo(destination);
    }
}
