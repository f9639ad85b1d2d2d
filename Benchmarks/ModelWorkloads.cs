namespace MLComponents.Benchmarks;

/// <summary>
/// Builds the engine's model for the benchmark. This is the one place that knows the trainer's API;
/// everything else in the harness only sees <see cref="IModelWorkload"/>.
/// </summary>
internal static class ModelWorkloads
{
    /// <summary>The workload for <paramref name="threads"/> threads, or null with the reason it cannot run.</summary>
    public static IModelWorkload? Create(ModelConfig config, int threads, out string reason)
    {
        _ = config;
        _ = threads;
        reason = "the Transformer model is not wired into the benchmark yet (no trainable model API on this branch)";
        return null;
    }
}
