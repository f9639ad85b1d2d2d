using TorchSharp;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// One padded batch on the device: ids [B,T] (int64), the real lengths (host copy, which position schemes that depend
/// on a sequence's length read), and the masks padding needs (null when no sequence is padded, the common case of
/// length-bucketed training batches). Its tensors belong to the dispose scope it was made in (one training step).
/// </summary>
public sealed class TorchBatch
{
    internal TorchBatch(Tensor ids, int[] lengths, int batch, int length, Device device)
    {
        Ids = ids;
        Lengths = lengths;
        Batch = batch;
        Length = length;
        Device = device;
        if (lengths.Any(n => n < length))
        {
            var positions = arange(length, dtype: ScalarType.Int64, device: device);
            var lengthTensor = tensor(Array.ConvertAll(lengths, n => (long)n), dtype: ScalarType.Int64, device: device);
            var real = positions.unsqueeze(0).lt(lengthTensor.unsqueeze(1)); // [B,T], true for real tokens
            TokenMask = real.unsqueeze(-1).to_type(ScalarType.Float32);   // [B,T,1]
            KeyPadding = real.logical_not().view(batch, 1, 1, length);      // [B,1,1,T], true for padded keys
        }
    }

    private TorchBatch(TorchBatch dense, int[] positions)
    {
        Ids = dense.Ids;
        Lengths = dense.Lengths;
        Batch = dense.Batch;
        Length = dense.Length;
        Device = dense.Device;
        TokenMask = dense.TokenMask;
        KeyPadding = dense.KeyPadding;
        Positions = positions;
    }

    /// <summary>
    /// This batch with explicit positions (randomized positions in training, [B,T] row-major on the host, padded slots
    /// repeating the last real one); the tensors are shared.
    /// </summary>
    internal TorchBatch WithPositions(int[] positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Length != Batch * Length)
        {
            throw new ArgumentException($"Positions must hold batch*length = {Batch * Length} entries, got {positions.Length}.", nameof(positions));
        }
        return new TorchBatch(this, positions);
    }

    /// <summary>The position of token t of sequence b: its explicit position, or t.</summary>
    internal int Position(int b, int t) => Positions is { } p ? p[(b * Length) + t] : t;

    /// <summary>Explicit positions [B,T] (host, row-major), or null for 0..n-1 (evaluation, and training without randomized positions).</summary>
    internal int[]? Positions { get; }

    /// <summary>Token ids [B,T] (int64).</summary>
    public Tensor Ids { get; }

    /// <summary>Real lengths (1..T) of the sequences.</summary>
    public int[] Lengths { get; }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>T (padded length).</summary>
    public int Length { get; }

    /// <summary>The device of every tensor.</summary>
    public Device Device { get; }

    /// <summary>[B,T,1]: 1 for real tokens, 0 for padding; null when nothing is padded.</summary>
    public Tensor? TokenMask { get; }

    /// <summary>[B,1,1,T]: true for padded keys; null when nothing is padded.</summary>
    public Tensor? KeyPadding { get; }

    /// <summary>
    /// Checks a padded batch on the host (shapes, lengths, ids within the vocabulary: a bad id would reach libtorch) and
    /// moves it to <paramref name="device"/>.
    /// </summary>
    public static TorchBatch Create(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int length, int vocabulary, int maxTokens, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (batch <= 0 || length <= 0 || length > maxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Batch {batch} x length {length} is outside 1..{maxTokens} tokens.");
        }
        if (ids.Length < batch * length || lengths.Length < batch)
        {
            throw new ArgumentException($"ids must hold batch*length = {batch * length} entries and lengths {batch}.", nameof(ids));
        }
        var ids64 = new long[batch * length];
        var lens = lengths[..batch].ToArray();
        for (int b = 0; b < batch; b++)
        {
            int n = lens[b];
            if (n < 1 || n > length)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), n, $"Sequence {b} has length {n}, outside 1..{length}.");
            }
            for (int t = 0; t < length; t++)
            {
                // Padded positions read id 0: their embedding is masked to zero, as the managed engine leaves them.
                int id = t < n ? ids[b * length + t] : 0;
                if ((uint)id >= (uint)vocabulary)
                {
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} at sequence {b}, position {t} is outside the vocabulary [0, {vocabulary}).");
                }
                ids64[b * length + t] = id;
            }
        }
        return new TorchBatch(tensor(ids64, [batch, length], dtype: ScalarType.Int64, device: device), lens, batch, length, device);
    }
}
