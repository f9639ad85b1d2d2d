namespace MLComponents;

/// <summary>The kind of value a text column is parsed into (ML.NET's DataKind, the kinds we support).</summary>
public enum DataKind
{
    /// <summary>Text (ReadOnlyMemory&lt;char&gt;).</summary>
    String,
    /// <summary>float; an empty field is NaN (missing).</summary>
    Single,
    /// <summary>double; an empty field is NaN (missing).</summary>
    Double,
    /// <summary>int.</summary>
    Int32,
    /// <summary>uint (or a key when a <see cref="KeyCount"/> is given).</summary>
    UInt32,
    /// <summary>long.</summary>
    Int64,
    /// <summary>bool: true/false/1/0, case-insensitive.</summary>
    Boolean,
}

/// <summary>Makes a loaded UInt32 column a key of <see cref="Count"/> values (ML.NET's KeyCount).</summary>
public sealed class KeyCount
{
    /// <summary>A key of <paramref name="count"/> values.</summary>
    public KeyCount(ulong count)
    {
        if (count == 0 || count > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(count), count, "A key needs 1..uint.MaxValue values.");
        Count = count;
    }

    /// <summary>Number of key values.</summary>
    public ulong Count { get; }
}

internal static class DataKindExtensions
{
    public static PrimitiveDataViewType ToType(this DataKind kind, KeyCount? key = null)
    {
        if (key is not null)
            return kind == DataKind.UInt32 ? new KeyDataViewType(key.Count)
                : throw new ArgumentException($"A KeyCount needs DataKind.UInt32, not {kind}.", nameof(key));
        return kind switch
        {
            DataKind.String => TextDataViewType.Instance,
            DataKind.Single => NumberDataViewType.Single,
            DataKind.Double => NumberDataViewType.Double,
            DataKind.Int32 => NumberDataViewType.Int32,
            DataKind.UInt32 => NumberDataViewType.UInt32,
            DataKind.Int64 => NumberDataViewType.Int64,
            DataKind.Boolean => BooleanDataViewType.Instance,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unsupported data kind."),
        };
    }
}
