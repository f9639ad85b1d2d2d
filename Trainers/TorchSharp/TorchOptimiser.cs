using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ManagedParameter = MLComponents.Numerics.Parameter;

namespace MLComponents.TorchSharp;

/// <summary>
/// The managed trainers' update on a TorchSharp model: global gradient-norm clipping (torch's clip_grad_norm_:
/// scale by max/(norm + 1e-6) when that is below 1), then torch's AdamW (betas 0.9/0.999, eps 1e-8) in two groups:
/// decayed (the managed <see cref="ManagedParameter.ApplyWeightDecay"/> true: matrices and embeddings) and never decayed
/// (biases, norms, position tables). The learning rate of each step is given (the managed
/// <see cref="Engine.LearningRateSchedule"/>).
/// </summary>
public sealed class TorchOptimiser : IDisposable
{
    private readonly AdamW _adam;
    private readonly Parameter[] _all;
    private readonly List<AdamW.ParamGroup> _groups = [];

    /// <summary>
    /// Groups <paramref name="model"/>'s parameters as the managed <paramref name="managed"/> list decays them (matched by
    /// name; build the optimiser after moving the model to its device).
    /// </summary>
    public TorchOptimiser(nn.Module model, IReadOnlyList<ManagedParameter> managed, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(managed);
        _all = ParameterTransfer.Match(managed, model);
        var decayed = _all.Where((_, i) => managed[i].ApplyWeightDecay).ToArray();
        var kept = _all.Where((_, i) => !managed[i].ApplyWeightDecay).ToArray();
        if (decayed.Length > 0)
        {
            _groups.Add(new AdamW.ParamGroup(decayed, weight_decay: weightDecay));
        }
        if (kept.Length > 0)
        {
            _groups.Add(new AdamW.ParamGroup(kept, weight_decay: 0));
        }
        _adam = optim.AdamW(_groups, lr: 1e-3, weight_decay: weightDecay);
    }

    /// <summary>Updates taken.</summary>
    public long Steps { get; private set; }

    /// <summary>Clears every gradient (frees them: the next backward allocates fresh ones).</summary>
    public void ZeroGrad() => _adam.zero_grad();

    /// <summary>Clips the global gradient norm to <paramref name="clipNorm"/> (when &gt; 0), then updates with <paramref name="learningRate"/>.</summary>
    public void Step(double clipNorm, double learningRate)
    {
        if (clipNorm > 0)
        {
            nn.utils.clip_grad_norm_(_all, clipNorm);
        }
        foreach (var g in _groups)
        {
            g.LearningRate = learningRate;
        }
        _adam.step();
        Steps++;
    }

    /// <inheritdoc/>
    public void Dispose() => _adam.Dispose();
}
