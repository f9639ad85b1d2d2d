using System.Collections;

namespace MLComponents.UnitTests;

/// <summary>
/// Rows for <c>LoadFromEnumerable</c> that count how often a cursor read them from the start: streamed training must read
/// its view once per epoch (plus its counting passes), training in memory once.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class CountedRows<T>(List<T> rows) : IEnumerable<T>
{
    public int Reads { get; private set; }

    public IEnumerator<T> GetEnumerator()
    {
        Reads++;
        return rows.GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
