namespace MLComponents.Engine;

/// <summary>
/// Epoch batch order with length bucketing: shuffle all examples, sort each chunk of
/// (batch size x bucket batches) examples by length so a batch pads little, cut into batches, shuffle the batches.
/// Every example is used exactly once per epoch; none is dropped (the last batch may be smaller).
/// </summary>
internal static class LengthBuckets
{
    /// <summary>Fills <paramref name="order"/> with a permutation and returns the batch start offsets (plus the end).</summary>
    public static int[] Plan(IReadOnlyList<int[]> sequences, int[] order, int batchSize, int bucketBatches, Random rng) =>
        Plan(i => sequences[i].Length, order, batchSize, bucketBatches, rng);

    /// <summary>
    /// The same with the bucketing length of example i given by <paramref name="lengthOf"/> (for pairs: the longer
    /// side, since both sides share one padded batch).
    /// </summary>
    public static int[] Plan(Func<int, int> lengthOf, int[] order, int batchSize, int bucketBatches, Random rng)
    {
        int n = order.Length;
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        rng.Shuffle(order);
        int chunk = Math.Max(batchSize, batchSize * bucketBatches);
        var keys = new int[Math.Min(chunk, n)];
        for (int start = 0; start < n; start += chunk)
        {
            int len = Math.Min(chunk, n - start);
            for (int i = 0; i < len; i++)
            {
                keys[i] = lengthOf(order[start + i]);
            }
            // Not a stable sort, but deterministic: equal lengths stay in a seeded order.
            MemoryExtensions.Sort(keys.AsSpan(0, len), order.AsSpan(start, len));
        }
        int batches = (n + batchSize - 1) / batchSize;
        var batchOrder = new int[batches];
        for (int i = 0; i < batches; i++)
        {
            batchOrder[i] = i;
        }
        rng.Shuffle(batchOrder);
        // Rewrite order so batches appear in the shuffled batch order; offsets mark their bounds.
        var copy = (int[])order.Clone();
        var offsets = new int[batches + 1];
        int pos = 0;
        for (int i = 0; i < batches; i++)
        {
            int s = batchOrder[i] * batchSize, e = Math.Min(n, s + batchSize);
            offsets[i] = pos;
            Array.Copy(copy, s, order, pos, e - s);
            pos += e - s;
        }
        offsets[batches] = pos;
        return offsets;
    }
}
