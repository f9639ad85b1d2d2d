namespace MLComponents;

/// <summary>
/// Materialises its source once, on the first cursor, into an <see cref="InMemoryDataView"/> (all columns),
/// then serves every cursor from memory. Can shuffle.
/// </summary>
internal sealed class CacheDataView(IDataView source) : IDataView
{
    private readonly Lazy<InMemoryDataView> _cache = new(() => Materialise(source), LazyThreadSafetyMode.ExecutionAndPublication);

    public bool CanShuffle => true;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => _cache.IsValueCreated ? _cache.Value.GetRowCount() : source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        _cache.Value.GetRowCursor(columnsNeeded, rand);

    private static InMemoryDataView Materialise(IDataView source)
    {
        using var cursor = source.GetRowCursor(source.Schema);
        int capacity = (int)Math.Min(source.GetRowCount() ?? 16, 1 << 20);
        var slots = source.Schema.Select(c => ColumnSlots.Create(cursor, c, capacity)).ToArray();
        int n = 0;
        while (cursor.MoveNext())
        {
            foreach (var s in slots) s.Store(n);
            n = checked(n + 1);
        }
        return new InMemoryDataView(source.Schema, [.. slots.Select(s => s.ToArray(n))]);
    }
}
