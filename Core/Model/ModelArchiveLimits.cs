namespace MLComponents;

/// <summary>
/// Caps that loading a model archive enforces, so that a hostile or corrupt file (a zip bomb, millions of
/// entries, a huge tensor header) fails fast with a <see cref="ModelFormatException"/> instead of exhausting
/// memory. Sizes are checked against the bytes actually decompressed, not only the sizes the zip declares.
/// </summary>
public sealed record ModelArchiveLimits
{
    /// <summary>The defaults: 10,000 entries, 2,000,000,000 bytes per entry, 4 GiB in total, 100 MB per safetensors header, 64 nested components.</summary>
    public static ModelArchiveLimits Default { get; } = new();

    /// <summary>Most entries an archive may have.</summary>
    public int MaxEntryCount { get; init; } = 10_000;

    /// <summary>Most uncompressed bytes of one entry (at most <see cref="Array.MaxLength"/>: an entry is read into one array).</summary>
    public long MaxEntryBytes { get; init; } = 2_000_000_000;

    /// <summary>Most uncompressed bytes read from the whole archive.</summary>
    public long MaxTotalBytes { get; init; } = 4L << 30;

    /// <summary>Most bytes of one safetensors JSON header (the reference implementation uses 100 MB).</summary>
    public long MaxTensorHeaderBytes { get; init; } = 100_000_000;

    /// <summary>Deepest nesting of components (guards the recursive reader).</summary>
    public int MaxComponentDepth { get; init; } = 64;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEntryCount, nameof(MaxEntryCount));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEntryBytes, nameof(MaxEntryBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxEntryBytes, Array.MaxLength, nameof(MaxEntryBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTotalBytes, nameof(MaxTotalBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTensorHeaderBytes, nameof(MaxTensorHeaderBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxComponentDepth, nameof(MaxComponentDepth));
    }
}
