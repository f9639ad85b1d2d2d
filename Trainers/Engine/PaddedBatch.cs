namespace MLComponents.Engine;

/// <summary>Reusable buffers holding a batch of sequences padded (with id 0) to their longest member.</summary>
public sealed class PaddedBatch
{
    private readonly int[] _ids;
    private readonly int[] _lengths;
    private readonly int _maxTokens;

    /// <summary>Plans a batch of up to <paramref name="capacity"/> sequences of up to <paramref name="maxTokens"/> ids.</summary>
    public PaddedBatch(int capacity, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ids = new int[capacity * maxTokens];
        _lengths = new int[capacity];
        _maxTokens = maxTokens;
    }

    /// <summary>ids [Count, Length].</summary>
    public ReadOnlySpan<int> Ids => _ids.AsSpan(0, Count * Length);

    /// <summary>Lengths [Count].</summary>
    public ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, Count);

    /// <summary>Sequences held.</summary>
    public int Count { get; private set; }

    /// <summary>Padded length (the longest member).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Copies <paramref name="count"/> sequences, sequences[order[start + i]] (or sequences[start + i] when order is
    /// null). Throws naming the sequence when one is empty or longer than MaxTokens.
    /// </summary>
    public void Fill(IReadOnlyList<int[]> sequences, int start, int count, int[]? order) =>
        FillStacked(sequences, null, start, count, order);

    /// <summary>
    /// Copies 2 x <paramref name="count"/> sequences: rows 0..count-1 from <paramref name="first"/> and rows
    /// count..2count-1 from <paramref name="second"/> (same example indices), padded to the longest of all, so one
    /// encoder pass embeds both sides of a batch of pairs.
    /// </summary>
    public void FillPairs(IReadOnlyList<int[]> first, IReadOnlyList<int[]> second, int start, int count, int[]? order)
    {
        ArgumentNullException.ThrowIfNull(second);
        FillStacked(first, second, start, count, order);
    }

    private void FillStacked(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? second, int start, int count, int[]? order)
    {
        int rows = second is null ? count : 2 * count;
        if (rows > _lengths.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Batch capacity is {_lengths.Length} sequences.");
        }
        int length = 0;
        for (int r = 0; r < rows; r++)
        {
            int i = r < count ? r : r - count;
            int index = order is null ? start + i : order[start + i];
            var list = r < count ? sequences : second!;
            var s = list[index] ?? throw new ArgumentException($"Sequence {index} is null.", nameof(sequences));
            if (s.Length == 0 || s.Length > _maxTokens)
            {
                throw new ArgumentException(
                    $"Sequence {index} has {s.Length} tokens; expected 1..{_maxTokens} (truncate to MaxTokens before training or prediction).", nameof(sequences));
            }
            length = Math.Max(length, s.Length);
        }
        for (int r = 0; r < rows; r++)
        {
            int i = r < count ? r : r - count;
            int index = order is null ? start + i : order[start + i];
            var s = (r < count ? sequences : second!)[index];
            var row = _ids.AsSpan(r * length, length);
            s.CopyTo(row);
            row[s.Length..].Clear();
            _lengths[r] = s.Length;
        }
        Count = rows;
        Length = length;
    }
}
