using TorchSharp;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp.Position;

/// <summary>
/// RoPE (and xPos) at the query/key hook: each pair of the first r dimensions of a head turns by position x frequency,
/// (a, b) -> (a cos - b sin, a sin + b cos), pairs (2i, 2i+1) or (i, i + r/2); xPos also scales the query pair by
/// zeta_i^(n/scaleBase) and the key pair by its inverse, n the position centred on the sequence's real length.
/// </summary>
internal sealed class TorchRotary(RotaryTables tables) : TorchPositionScheme([])
{
    public override (Tensor Queries, Tensor Keys) QueryKey(int layer, Tensor queries, Tensor keys, TorchBatch batch)
    {
        Checked.Shape(queries, "RoPE queries", batch.Batch, -1, batch.Length, tables.HeadDimension);
        Checked.Shape(keys, "RoPE keys", batch.Batch, -1, batch.Length, tables.HeadDimension);
        int t = batch.Length, p = tables.Pairs;
        if (batch.Positions is { } positions)
        {
            // Explicit (randomized) positions, training only: token t of sequence b takes the row of its position in the
            // tables of its length, [B, 1, T, P].
            if (tables.IsXPos)
            {
                throw new InvalidOperationException("xPos does not take explicit positions (it centres on the real length).");
            }
            var cosRows = new float[batch.Batch * t * p];
            var sinRows = new float[batch.Batch * t * p];
            for (int b = 0; b < batch.Batch; b++)
            {
                var (c, s) = tables.ForLength(batch.Lengths[b]).CosSinAt(positions.AsSpan(b * t, t));
                c.CopyTo(cosRows, b * t * p);
                s.CopyTo(sinRows, b * t * p);
            }
            var cosAt = tensor(cosRows, [batch.Batch, 1, t, p], device: batch.Device);
            var sinAt = tensor(sinRows, [batch.Batch, 1, t, p], device: batch.Device);
            return (Rotate(queries, cosAt, sinAt), Rotate(keys, cosAt, sinAt));
        }
        bool ownTables = true;
        for (int b = 0; b < batch.Batch; b++)
        {
            ownTables &= tables.IsOwnFor(batch.Lengths[b]);
        }
        if (!tables.IsXPos && ownTables)
        {
            var cos = Cached($"rope-cos/{t}", batch.Device, () => tensor(tables.CosSin(t).Cos, [t, p]));
            var sin = Cached($"rope-sin/{t}", batch.Device, () => tensor(tables.CosSin(t).Sin, [t, p]));
            return (Rotate(queries, cos, sin), Rotate(keys, cos, sin));
        }
        if (!tables.IsXPos)
        {
            // Dynamic scaling with a sequence longer than the original length: per-sequence tables [B, 1, T, P], the
            // sequences at or below it keeping the unscaled ones.
            var rc = new Tensor[batch.Batch];
            var rs = new Tensor[batch.Batch];
            for (int b = 0; b < batch.Batch; b++)
            {
                int n = batch.Lengths[b];
                string key = tables.IsOwnFor(n) ? $"{t}/own" : $"{t}/{n}";
                var own = tables.ForLength(n);
                rc[b] = Cached($"rope-seq-cos/{key}", batch.Device, () => tensor(own.CosSin(t).Cos, [1, t, p]));
                rs[b] = Cached($"rope-seq-sin/{key}", batch.Device, () => tensor(own.CosSin(t).Sin, [1, t, p]));
            }
            var cos = stack(rc);
            var sin = stack(rs);
            return (Rotate(queries, cos, sin), Rotate(keys, cos, sin));
        }
        // xPos: per-sequence tables [B, 1, T, P] (the centre depends on the real length, and so may a dynamic factor).
        var qc = new Tensor[batch.Batch];
        var qs = new Tensor[batch.Batch];
        var kc = new Tensor[batch.Batch];
        var ks = new Tensor[batch.Batch];
        for (int b = 0; b < batch.Batch; b++)
        {
            int n = batch.Lengths[b];
            var own = tables.ForLength(n);
            qc[b] = Cached($"xpos-qc/{t}/{n}", batch.Device, () => tensor(own.ScaledCosSin(t, n, query: true).Cos, [1, t, p]));
            qs[b] = Cached($"xpos-qs/{t}/{n}", batch.Device, () => tensor(own.ScaledCosSin(t, n, query: true).Sin, [1, t, p]));
            kc[b] = Cached($"xpos-kc/{t}/{n}", batch.Device, () => tensor(own.ScaledCosSin(t, n, query: false).Cos, [1, t, p]));
            ks[b] = Cached($"xpos-ks/{t}/{n}", batch.Device, () => tensor(own.ScaledCosSin(t, n, query: false).Sin, [1, t, p]));
        }
        return (Rotate(queries, stack(qc), stack(qs)), Rotate(keys, stack(kc), stack(ks)));
    }

    private Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        int dh = tables.HeadDimension, r = tables.RotatedDimensions, p = tables.Pairs;
        var rotated = x.narrow(-1, 0, r);
        Tensor a, b;
        if (tables.Interleaved)
        {
            long[] shape = [.. rotated.shape[..^1], p, 2];
            var pairs = rotated.reshape(shape);
            a = pairs.select(-1, 0);
            b = pairs.select(-1, 1);
        }
        else
        {
            a = rotated.narrow(-1, 0, p);
            b = rotated.narrow(-1, p, p);
        }
        var newA = a * cos - b * sin;
        var newB = a * sin + b * cos;
        var turned = tables.Interleaved ? stack([newA, newB], -1).reshape(rotated.shape) : cat([newA, newB], -1);
        return r == dh ? turned : cat([turned, x.narrow(-1, r, dh - r)], -1);
    }
}
