namespace MLComponents;

/// <summary>Names the column a field or property maps to (default: the member's name).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = name;
}

/// <summary>Excludes a field or property from the columns of its type.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class NoColumnAttribute : Attribute;

/// <summary>Declares a fixed vector size for an array member (without it the vector has variable length).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class VectorTypeAttribute : Attribute
{
    /// <summary>A variable-length vector.</summary>
    public VectorTypeAttribute() { }

    /// <summary>A fixed-length vector of <paramref name="size"/> items.</summary>
    public VectorTypeAttribute(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Size = size;
    }

    /// <summary>The size, or 0 for variable length.</summary>
    public int Size { get; }
}

/// <summary>Marks a uint (or uint[]) member as a key of <see cref="Count"/> values (1..Count; 0 is missing).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class KeyTypeAttribute(ulong count) : Attribute
{
    /// <summary>Number of key values.</summary>
    public ulong Count { get; } = count;
}

/// <summary>
/// Where a member is read from in a text file: one zero-based field index, an inclusive range of
/// fields (a fixed-size vector) or a list of field indices.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class LoadColumnAttribute : Attribute
{
    /// <summary>A single field.</summary>
    public LoadColumnAttribute(int fieldIndex) : this([fieldIndex]) { }

    /// <summary>The fields <paramref name="start"/>..<paramref name="end"/> inclusive, as a vector.</summary>
    public LoadColumnAttribute(int start, int end)
    {
        if (start < 0 || end < start) throw new ArgumentOutOfRangeException(nameof(end), $"Bad field range {start}..{end}.");
        Sources = [.. Enumerable.Range(start, end - start + 1)];
        IsRange = true;
    }

    /// <summary>The listed fields, as a vector.</summary>
    public LoadColumnAttribute(int[] columnIndexes)
    {
        ArgumentNullException.ThrowIfNull(columnIndexes);
        if (columnIndexes.Length == 0 || columnIndexes.Any(i => i < 0)) throw new ArgumentException("Field indices must be non-negative and at least one.", nameof(columnIndexes));
        Sources = [.. columnIndexes];
        IsRange = columnIndexes.Length > 1;
    }

    /// <summary>The zero-based field indices.</summary>
    public IReadOnlyList<int> Sources { get; }

    internal bool IsRange { get; }
}
