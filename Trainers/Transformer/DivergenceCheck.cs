using System.Globalization;
using System.Numerics.Tensors;
using MLComponents.Numerics;

namespace MLComponents.Trainers;

/// <summary>
/// Refuses a trained model whose weights are not finite (a learning rate or loss scale so large that training diverged), so a
/// trainer never hands back NaN weights that would score every row as NaN. It watches the progress reports for the first
/// non-finite training loss, to say where the divergence began.
/// </summary>
/// <remarks>
/// The engine reports a mean loss every ProgressInterval steps and at each epoch's end, so this names a span of steps; stopping at
/// the exact batch whose loss is not finite is the engine's job (its training loop sees every batch's loss).
/// </remarks>
internal sealed class DivergenceCheck
{
    private string? _firstNonFiniteLoss;
    private long _lastStep;

    /// <summary>Records one progress report (epoch, optimiser steps so far, mean loss since the previous report).</summary>
    public void Observe(int epoch, long step, double loss)
    {
        if (_firstNonFiniteLoss is null && !double.IsFinite(loss))
        {
            _firstNonFiniteLoss = string.Create(CultureInfo.InvariantCulture,
                $"the mean training loss was first {loss} in epoch {epoch}, over steps {_lastStep + 1}..{step}");
        }
        _lastStep = step;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first parameter holding a NaN or infinity.</summary>
    public void RequireFinite(IReadOnlyList<Parameter> parameters, string trainer, IFormattable learningRate)
    {
        foreach (var p in parameters)
        {
            if (TensorPrimitives.IsFiniteAll<float>(p.Value)) continue;
            int at = Array.FindIndex(p.Value, v => !float.IsFinite(v));
            string where = _firstNonFiniteLoss is null ? "" : $"; {_firstNonFiniteLoss}";
            string rate = learningRate.ToString(null, CultureInfo.InvariantCulture);
            throw new InvalidOperationException($"{trainer}: training diverged: parameter '{p.Name}' holds {p.Value[at]} (element {at}) after training{where}. " +
                $"Lower option 'LearningRate' ({rate}) or check the data and options that scale the loss (labels, ClassWeights, CoSentScale).");
        }
    }
}
