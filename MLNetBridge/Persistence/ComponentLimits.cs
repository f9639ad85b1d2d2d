namespace MLComponents;

/// <summary>
/// Caps that loading one of our components enforces, so that a corrupt or hostile model file fails fast with a
/// <see cref="ModelFormatException"/> instead of exhausting memory.
/// </summary>
public sealed record ComponentLimits
{
    /// <summary>The caps used when ML.NET loads a model: 2,000,000,000 bytes per entry, 1,000 entries per component, 100 MB per safetensors header, JSON depth 64.</summary>
    public static ComponentLimits Default { get; } = new();

    /// <summary>Most bytes of one stored entry (at most <see cref="Array.MaxLength"/>: an entry is read into one array).</summary>
    public long MaxEntryBytes { get; init; } = 2_000_000_000;

    /// <summary>Most entries one component may record.</summary>
    public int MaxEntries { get; init; } = 1_000;

    /// <summary>Most bytes of one safetensors JSON header (the reference implementation uses 100 MB).</summary>
    public long MaxTensorHeaderBytes { get; init; } = 100_000_000;

    /// <summary>Deepest nesting of the options JSON.</summary>
    public int MaxJsonDepth { get; init; } = 64;
}
