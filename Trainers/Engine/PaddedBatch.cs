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
    public void Fill(IReadOnlyList<int[]> sequences, int start, int count, int[]? order)
    {
        if (count > _lengths.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Batch capacity is {_lengths.Length}.");
        }
        int length = 0;
        for (int i = 0; i < count; i++)
        {
            int index = order is null ? start + i : order[start + i];
            var s = sequences[index] ?? throw new ArgumentException($"Sequence {index} is null.", nameof(sequences));
            if (s.Length == 0 || s.Length > _maxTokens)
            {
                throw new ArgumentException(
                    $"Sequence {index} has {s.Length} tokens; expected 1..{_maxTokens} (truncate to MaxTokens before training or prediction).", nameof(sequences));
            }
            length = Math.Max(length, s.Length);
        }
        for (int i = 0; i < count; i++)
        {
            var s = sequences[order is null ? start + i : order[start + i]];
            var row = _ids.AsSpan(i * length, length);
            s.CopyTo(row);
            row[s.Length..].Clear();
            _lengths[i] = s.Length;
        }
        Count = count;
        Length = length;
    }
}
