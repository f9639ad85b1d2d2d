namespace MLComponents;

/// <summary>
/// A dense vector value as read from a vector column (ML.NET's VBuffer, dense only).
/// The values array may be longer than <see cref="Length"/> so that getters can reuse it.
/// </summary>
public readonly struct VBuffer<T>
{
    private readonly T[]? _values;

    /// <summary>Wraps the first <paramref name="length"/> items of <paramref name="values"/> (not copied).</summary>
    public VBuffer(int length, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if ((uint)length > (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(length));
        Length = length;
        _values = values;
    }

    /// <summary>Wraps all of <paramref name="values"/>.</summary>
    public VBuffer(T[] values) : this(values.Length, values) { }

    /// <summary>Logical length.</summary>
    public int Length { get; }

    /// <summary>Always true: only dense vectors are supported.</summary>
    public bool IsDense => true;

    /// <summary>The values.</summary>
    public ReadOnlySpan<T> GetValues() => _values is null ? default : _values.AsSpan(0, Length);

    /// <summary>Enumerates the values.</summary>
    public IEnumerable<T> DenseValues()
    {
        for (int i = 0; i < Length; i++) yield return _values![i];
    }

    /// <summary>The backing array, for reuse by a getter (may be longer than Length, or null).</summary>
    public T[]? GetBuffer() => _values;

    /// <summary>Copies the values into a new array.</summary>
    public T[] ToArray() => GetValues().ToArray();
}
