namespace MLComponents;

/// <summary>Typed storage for one column's values, filled from a cursor (used by Cache and ShuffleRows).</summary>
internal abstract class ColumnSlots
{
    public static ColumnSlots Create(DataViewRow row, DataViewSchema.Column column, int capacity) =>
        (ColumnSlots)Activator.CreateInstance(typeof(ColumnSlots<>).MakeGenericType(column.Type.RawType), row, column, capacity)!;

    /// <summary>Copies the row's current value into slot <paramref name="slot"/> (growing as needed).</summary>
    public abstract void Store(int slot);

    public abstract void Swap(int a, int b);

    /// <summary>The stored values as a right-sized array.</summary>
    public abstract Array ToArray(int count);

    /// <summary>A getter reading the slot <paramref name="currentSlot"/> returns.</summary>
    public abstract Delegate MakeGetter(Func<int> currentSlot);
}

internal sealed class ColumnSlots<T>(DataViewRow row, DataViewSchema.Column column, int capacity) : ColumnSlots
{
    private readonly ValueGetter<T> _getter = row.GetGetter<T>(column);
    private T[] _values = new T[Math.Max(capacity, 4)];

    public override void Store(int slot)
    {
        if (slot >= _values.Length) Array.Resize(ref _values, Math.Max(_values.Length * 2, slot + 1));
        // Copy through a temporary so the slot keeps its own buffer, never the source's.
        T tmp = default!;
        _getter(ref tmp);
        ValueCopier<T>.Copy(in tmp, ref _values[slot]);
    }

    public override void Swap(int a, int b) => (_values[a], _values[b]) = (_values[b], _values[a]);

    public override Array ToArray(int count) => _values.AsSpan(0, count).ToArray();

    public override Delegate MakeGetter(Func<int> currentSlot)
    {
        var copy = ValueCopier<T>.Copy;
        return (ValueGetter<T>)((ref T v) => copy(in _values[currentSlot()], ref v));
    }
}
