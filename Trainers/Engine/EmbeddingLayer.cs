using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace MLComponents.Engine;

/// <summary>
/// Token embedding lookup, out[b,t,:] = W[ids[b,t], :] for real tokens and zeros for padding (t &gt;= length), so
/// padding never touches the table. Backward scatter-adds rows in (b, t) order: deterministic with no atomics.
/// </summary>
public static class EmbeddingLayer
{
    /// <summary>Forward. <paramref name="ids"/> is [B,T] row-major; entries at padded positions are ignored.</summary>
    public static void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] table, int vocabulary, float[] output, int batch, int length, int dim) =>
        Forward(ids, lengths, table, vocabulary, output, batch, length, dim, 1);

    /// <summary>As the one-thread overload, sequences shared out among up to <paramref name="threads"/> threads (a copy: same bits).</summary>
    public static unsafe void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] table, int vocabulary, float[] output, int batch, int length,
        int dim, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ids.Length, batch * length, nameof(ids));
        ArgumentOutOfRangeException.ThrowIfLessThan(lengths.Length, batch, nameof(lengths));
        // Ids are checked here, on the caller's thread, so a bad one gives the same exception whatever the thread count.
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                int id = ids[b * length + t];
                if ((uint)id >= (uint)vocabulary)
                {
                    throw new ArgumentOutOfRangeException(nameof(ids), id,
                        $"Token id {id} at sequence {b}, position {t} is outside the vocabulary [0, {vocabulary}).");
                }
            }
        }

        fixed (int* pIds = ids, pLengths = lengths)
        {
            var work = new ForwardWork(pIds, pLengths, table, output, length, dim);
            if (Parallelism.Worth(threads, batch, (long)length * dim))
            {
                Parallelism.For(threads, batch, ref work);
            }
            else
            {
                work.Run(0, batch);
            }
        }
    }

    private readonly unsafe struct ForwardWork(int* ids, int* lengths, float[] table, float[] output, int length, int dim) : IRangeWork
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            for (int b = start; b < end; b++)
            {
                int n = lengths[b];
                for (int t = 0; t < length; t++)
                {
                    var row = output.AsSpan((b * length + t) * dim, dim);
                    if (t >= n)
                    {
                        row.Clear();
                        continue;
                    }

                    table.AsSpan(ids[b * length + t] * dim, dim).CopyTo(row);
                }
            }
        }
    }

    /// <summary>As <see cref="Backward(ReadOnlySpan{int}, ReadOnlySpan{int}, float[], float[], int, int, int)"/>, also marking every row written.</summary>
    internal static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] dOutput, float[] dTable, int batch, int length, int dim,
        TouchedRows touched, int threads)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                touched.Mark(ids[b * length + t]);
            }
        }

        Backward(ids, lengths, dOutput, dTable, batch, length, dim, threads);
    }

    /// <summary>dTable[ids[b,t]] += dOutput[b,t] for real tokens, in (b, t) order.</summary>
    public static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] dOutput, float[] dTable, int batch, int length, int dim) =>
        Backward(ids, lengths, dOutput, dTable, batch, length, dim, 1);

    /// <summary>
    /// As the one-thread overload on up to <paramref name="threads"/> threads: each takes a block of columns and adds every
    /// token's gradient into it in (b, t) order, so each element receives the same additions in the same order (same bits).
    /// </summary>
    public static unsafe void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] dOutput, float[] dTable, int batch, int length, int dim,
        int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ids.Length, batch * length, nameof(ids));
        ArgumentOutOfRangeException.ThrowIfLessThan(lengths.Length, batch, nameof(lengths));
        int blocks = (dim + ColumnBlock - 1) / ColumnBlock, tokens = 0;
        for (int b = 0; b < batch; b++)
        {
            tokens += lengths[b];
        }

        fixed (int* pIds = ids, pLengths = lengths)
        {
            var work = new BackwardWork(pIds, pLengths, dOutput, dTable, batch, length, dim);
            if (Parallelism.Worth(threads, blocks, (long)tokens * ColumnBlock))
            {
                Parallelism.For(threads, blocks, ref work);
            }
            else
            {
                work.Run(0, blocks);
            }
        }
    }

    /// <summary>Columns per block of the parallel backward (whole 64-byte lines of each row).</summary>
    private const int ColumnBlock = 16;

    private readonly unsafe struct BackwardWork(int* ids, int* lengths, float[] dOutput, float[] dTable, int batch, int length, int dim) : IRangeWork
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            int from = start * ColumnBlock, width = Math.Min(dim, end * ColumnBlock) - from;
            for (int b = 0; b < batch; b++)
            {
                for (int t = 0; t < lengths[b]; t++)
                {
                    var g = dTable.AsSpan(ids[b * length + t] * dim + from, width);
                    TensorPrimitives.Add(g, dOutput.AsSpan((b * length + t) * dim + from, width), g);
                }
            }
        }
    }
}
