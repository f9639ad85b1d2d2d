namespace MLComponents.Engine;

/// <summary>
/// The distinct rows of a table (the token embedding) that backward passes have written gradients to since the last
/// <see cref="Reset"/>: what a sparse embedding update visits and what a sparse gradient clear must zero.
/// Marking is O(1) through a per-row stamp, and reset is O(1) too (the stamp moves on).
/// </summary>
public sealed class TouchedRows
{
    private readonly int[] _stamp;
    private int[] _rows;
    private int _count;
    private int _generation = 1;

    /// <summary>Tracks rows 0..<paramref name="tableRows"/>-1.</summary>
    public TouchedRows(int tableRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tableRows);
        _stamp = new int[tableRows];
        _rows = new int[Math.Min(tableRows, 1024)];
    }

    /// <summary>The rows marked since the last reset, in the order first marked.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    /// <summary>Marks a row (again marking it changes nothing).</summary>
    public void Mark(int row)
    {
        if (_stamp[row] == _generation)
        {
            return;
        }

        _stamp[row] = _generation;
        if (_count == _rows.Length)
        {
            Array.Resize(ref _rows, Math.Min(_stamp.Length, _rows.Length * 2));
        }

        _rows[_count++] = row;
    }

    /// <summary>Forgets every row.</summary>
    public void Reset()
    {
        _count = 0;
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamp);
            _generation = 1;
        }
    }
}
