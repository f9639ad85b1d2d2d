namespace MLComponents.Engine;

/// <summary>How the learning rate falls after warm-up.</summary>
public enum LearningRateDecay
{
    /// <summary>Half a cosine from the peak to zero at the last step.</summary>
    Cosine,

    /// <summary>A straight line from the peak to zero at the last step.</summary>
    Linear,

    /// <summary>Stays at the peak.</summary>
    Constant,
}

/// <summary>
/// Linear warm-up then decay. Step s (0-based) of <see cref="TotalSteps"/>: during warm-up (s &lt; W) the rate is
/// peak * (s + 1) / W, so the first update is not wasted at zero; afterwards progress = (s - W) / (total - W) and
/// the factor is 0.5 (1 + cos(pi progress)) (cosine) or 1 - progress (linear).
/// </summary>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, LearningRateDecay Decay)
{
    /// <summary>The rate for update <paramref name="step"/> (0-based).</summary>
    public double Rate(long step)
    {
        if (step < WarmupSteps)
        {
            return Peak * (step + 1) / WarmupSteps;
        }
        if (Decay == LearningRateDecay.Constant)
        {
            return Peak;
        }
        double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        return Decay == LearningRateDecay.Cosine ? Peak * 0.5 * (1 + Math.Cos(Math.PI * progress)) : Peak * (1 - progress);
    }
}
