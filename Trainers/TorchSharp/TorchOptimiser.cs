using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ManagedParameter = MLComponents.Numerics.Parameter;

namespace MLComponents.TorchSharp;

/// <summary>
/// The managed trainers' update on a TorchSharp model: global gradient-norm clipping (torch's clip_grad_norm_:
/// scale by max/(norm + 1e-6) when that is below 1), then torch's AdamW (betas 0.9/0.999, eps 1e-8) in two groups:
/// decayed (the managed <see cref="ManagedParameter.ApplyWeightDecay"/> true: matrices and embeddings) and never decayed
/// (biases, norms, position tables), each split again by learning-rate multiplier (the managed
/// <see cref="Engine.AdamW.ScaleLearningRate"/>). The learning rate of each step is given (the managed
/// <see cref="Engine.LearningRateSchedule"/>).
/// </summary>
public sealed class TorchOptimiser : IDisposable
{
    private readonly AdamW _adam;
    private readonly Parameter[] _all;
    private readonly List<AdamW.ParamGroup> _groups = [];
    private readonly List<double> _groupScales = [];
    private readonly (Parameter Table, Engine.RowMeanPull Rule)? _meanPull;

    /// <summary>
    /// Groups <paramref name="model"/>'s parameters as the managed <paramref name="managed"/> list decays them (matched by
    /// name; build the optimiser after moving the model to its device). <paramref name="learningRateScale"/> gives a
    /// parameter's multiplier of each step's rate (null: 1 for all). <paramref name="meanPull"/> names a managed table whose
    /// torch counterpart each step also pulls toward its mean row, as the managed <see cref="Engine.RowMeanPull"/> does.
    /// </summary>
    public TorchOptimiser(nn.Module model, IReadOnlyList<ManagedParameter> managed, float weightDecay,
        Func<ManagedParameter, double>? learningRateScale = null, Engine.RowMeanPull? meanPull = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(managed);
        _all = ParameterTransfer.Match(managed, model);
        var keys = managed.Select(p => (Decayed: p.ApplyWeightDecay, Scale: learningRateScale?.Invoke(p) ?? 1.0)).ToArray();
        foreach (var key in keys.Distinct().OrderByDescending(k => k.Decayed).ThenBy(k => k.Scale))
        {
            var members = _all.Where((_, i) => keys[i] == key).ToArray();
            _groups.Add(new AdamW.ParamGroup(members, weight_decay: key.Decayed ? weightDecay : 0));
            _groupScales.Add(key.Scale);
        }
        _adam = optim.AdamW(_groups, lr: 1e-3, weight_decay: weightDecay);
        if (meanPull is not null)
        {
            int index = managed.Select((p, i) => (p, i)).First(x => ReferenceEquals(x.p, meanPull.Table)).i;
            _meanPull = (_all[index], meanPull);
        }
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
        for (int i = 0; i < _groups.Count; i++)
        {
            // lr x scale in double, as the managed update computes it.
            _groups[i].LearningRate = learningRate * _groupScales[i];
        }
        _adam.step();
        Steps++;
        if (_meanPull is { } pull && pull.Rule.ActsAt(Steps))
        {
            // The managed RowMeanPull's arithmetic, on the device: row -= lr x factor x (row - mean of the rows). Every
            // temporary, the rate's Scalar included, is disposed here rather than left to a scope or the finalizer.
            using var noGrad = no_grad();
            var table = pull.Table;
            using var mean = table.mean([0], keepdim: true);
            using var offsets = table.sub(mean);
            using var rate = (learningRate * pull.Rule.Factor).ToScalar();
            using var moves = offsets.mul(rate);
            table.sub_(moves);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _adam.Dispose();
}
