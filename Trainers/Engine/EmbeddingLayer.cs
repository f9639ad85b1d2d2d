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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] table, int vocabulary, float[] output, int batch, int length, int dim)
    {
        for (int b = 0; b < batch; b++)
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
                int id = ids[b * length + t];
                if ((uint)id >= (uint)vocabulary)
                {
                    throw new ArgumentOutOfRangeException(nameof(ids), id,
                        $"Token id {id} at sequence {b}, position {t} is outside the vocabulary [0, {vocabulary}).");
                }
                table.AsSpan(id * dim, dim).CopyTo(row);
            }
        }
    }

    /// <summary>As <see cref="Backward(ReadOnlySpan{int}, ReadOnlySpan{int}, float[], float[], int, int, int)"/>, also marking every row written.</summary>
    internal static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] dOutput, float[] dTable, int batch, int length, int dim, TouchedRows touched)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                touched.Mark(ids[b * length + t]);
            }
        }

        Backward(ids, lengths, dOutput, dTable, batch, length, dim);
    }

    /// <summary>dTable[ids[b,t]] += dOutput[b,t] for real tokens, in (b, t) order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, float[] dOutput, float[] dTable, int batch, int length, int dim)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                var g = dTable.AsSpan(ids[b * length + t] * dim, dim);
                TensorPrimitives.Add(g, dOutput.AsSpan((b * length + t) * dim, dim), g);
            }
        }
    }
}
