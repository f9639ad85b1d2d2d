using System.Numerics.Tensors;
using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// Activations of one attention layer kept for its backward pass; arrays are sized for the largest batch and
/// only the prefix of the current (B, T) is used.
/// </summary>
public sealed class AttentionActivations
{
    /// <summary>Plans buffers for up to <paramref name="batch"/> sequences of <paramref name="length"/> tokens.</summary>
    public AttentionActivations(int batch, int length, int dim, int heads, bool dropout)
    {
        Q = new float[batch * length * dim];
        K = new float[Q.Length];
        V = new float[Q.Length];
        Heads = new float[Q.Length];
        Probs = new float[batch * heads * length * length];
        ProbsUsed = dropout ? new float[Probs.Length] : Probs;
    }

    /// <summary>Queries [B,H,T,dh] after the query/key hook.</summary>
    public float[] Q { get; }

    /// <summary>Keys [B,H,T,dh] after the query/key hook.</summary>
    public float[] K { get; }

    /// <summary>Values [B,H,T,dh] (general path only: the fused path reads them in place from qkv).</summary>
    public float[] V { get; }

    /// <summary>Softmax probabilities [B,H,T,T] (also the logits buffer before the softmax).</summary>
    public float[] Probs { get; }

    /// <summary>Probabilities after dropout (the same array as <see cref="Probs"/> when dropout is planned out).</summary>
    public float[] ProbsUsed { get; }

    /// <summary>Head outputs [B,H,T,dh] after the value hook (general path only: the fused path writes the merged output directly).</summary>
    public float[] Heads { get; }

    /// <summary>The qkv[B,T,3D] of the last forward: the fused path reads values from it in place, forward and backward.</summary>
    internal float[] Qkv { get; set; } = [];
}

/// <summary>Gradient scratch shared by every attention layer (one backward runs at a time).</summary>
public sealed class AttentionGradients
{
    /// <summary>Plans buffers for up to <paramref name="batch"/> sequences of <paramref name="length"/> tokens.</summary>
    public AttentionGradients(int batch, int length, int dim, int heads)
    {
        DQ = new float[batch * length * dim];
        DK = new float[DQ.Length];
        DV = new float[DQ.Length];
        DHeads = new float[DQ.Length];
        DProbs = new float[batch * heads * length * length];
    }

    /// <summary>Gradient w.r.t. queries [B,H,T,dh].</summary>
    public float[] DQ { get; }

    /// <summary>Gradient w.r.t. keys.</summary>
    public float[] DK { get; }

    /// <summary>Gradient w.r.t. values.</summary>
    public float[] DV { get; }

    /// <summary>Gradient w.r.t. head outputs.</summary>
    public float[] DHeads { get; }

    /// <summary>Gradient w.r.t. probabilities, then (in place) w.r.t. logits.</summary>
    public float[] DProbs { get; }
}

/// <summary>
/// Multi-head self-attention on a fused projection qkv[B,T,3D] (q, k, v in that order, head h at columns
/// h*dh..h*dh+dh-1 of each, as torch's chunk + view), with the padding mask on keys and the position-module
/// hooks in the documented places: q/k hook on [B,H,T,dh] before QK^T, logit hook after the 1/sqrt(dh)
/// scaling (times the sequence's log-length factor, <see cref="PositionBatch.LogLengthFactor"/>) and before the mask, value hook after probs*V. Output is the merged heads [B,T,D].
/// Work is split over (batch, head) pairs; each pair's arithmetic is fixed, so results do not depend on threads.
/// </summary>
public static class AttentionLayer
{
    /// <summary>
    /// Forward: output[B,T,D] from qkv[B,T,3D]. <paramref name="keep"/> false (inference, not training) lets the fused
    /// path work in per-thread scratch instead of filling <paramref name="act"/> for a backward.
    /// </summary>
    public static void Forward(int layer, float[] qkv, float[] output, AttentionActivations act, PositionModule module,
        PositionBatch pb, int dim, int heads, float dropout, ulong dropoutKey, bool training, int threads, bool keep = true)
    {
        act.Qkv = qkv;
        if (UsesFusedPath(module))
        {
            FusedAttention.Forward(layer, qkv, output, act, module, pb, dim, heads, dropout, dropoutKey, training, threads, keep);
            return;
        }

        int dh = dim / heads, t = pb.Length, units = pb.Batch * heads;
        Split(qkv, act.Q, act.K, act.V, pb.Batch, t, heads, dh);
        if (module.HasQueryKeyHook)
        {
            module.ForwardQueryKey(layer, act.Q, act.K, pb, heads, dh);
        }
        float scale = 1f / MathF.Sqrt(dh);
        bool drop = training && dropout > 0;
        if (drop && ReferenceEquals(act.ProbsUsed, act.Probs))
        {
            throw new InvalidOperationException("Attention dropout at training time needs activations planned with dropout.");
        }
        bool parallel = Parallelism.Worth(threads, units, 4L * t * t * dh);
        if (parallel)
        {
            LogitsParallel(act, pb, heads, t, dh, scale, units, threads);
        }
        else
        {
            Logits(act, pb, heads, t, dh, scale, 0, units);
        }
        if (module.HasLogitHook)
        {
            module.ForwardLogits(layer, act.Q, act.Probs, pb, heads, dh, scale);
        }
        if (pb.LogLengthScaleBiases)
        {
            // The whole logit (q.k/sqrt(dh) + the hook's terms) takes the sequence's log-length factor.
            for (int u = 0; u < units; u++)
            {
                float f = pb.WholeLogitFactor(u / heads);
                if (f != 1f) TensorPrimitives.Multiply(act.Probs.AsSpan(u * t * t, t * t), f, act.Probs.AsSpan(u * t * t, t * t));
            }
        }
        if (parallel)
        {
            SoftmaxValuesParallel(act, pb, heads, dh, drop, dropout, dropoutKey, units, threads);
        }
        else
        {
            SoftmaxValues(act, pb, heads, dh, drop, dropout, dropoutKey, 0, units);
        }
        if (module.HasValueHook)
        {
            module.ForwardValues(layer, act.ProbsUsed, act.Heads, pb, heads, dh);
        }
        Merge(act.Heads, output, pb.Batch, t, heads, dh, 0, dim);
    }

    /// <summary>
    /// Backward: dqkv[B,T,3D] (overwritten) from dOutput[B,T,D], running the hooks' backward passes in reverse order.
    /// </summary>
    public static void Backward(int layer, float[] dOutput, float[] dqkv, AttentionActivations act, AttentionGradients grads,
        PositionModule module, PositionBatch pb, int dim, int heads, float dropout, ulong dropoutKey, bool training, int threads)
    {
        if (UsesFusedPath(module))
        {
            FusedAttention.Backward(layer, dOutput, dqkv, act, grads, module, pb, dim, heads, dropout, dropoutKey, training, threads);
            return;
        }

        int dh = dim / heads, t = pb.Length, units = pb.Batch * heads;
        float scale = 1f / MathF.Sqrt(dh);
        bool drop = training && dropout > 0;
        Split(dOutput, grads.DHeads, null, null, pb.Batch, t, heads, dh, dim);
        bool parallel = Parallelism.Worth(threads, units, 8L * t * t * dh);
        if (parallel)
        {
            ValueGradsParallel(act, grads, t, dh, units, threads);
        }
        else
        {
            ValueGrads(act, grads, t, dh, 0, units);
        }
        if (module.HasValueHook)
        {
            module.BackwardValues(layer, act.ProbsUsed, grads.DHeads, grads.DProbs, pb, heads, dh);
        }
        if (parallel)
        {
            LogitGradsParallel(act, grads, pb, heads, dh, scale, drop, dropout, dropoutKey, units, threads);
        }
        else
        {
            LogitGrads(act, grads, pb, heads, dh, scale, drop, dropout, dropoutKey, 0, units);
        }
        if (module.HasLogitHook)
        {
            module.BackwardLogits(layer, act.Q, grads.DProbs, grads.DQ, pb, heads, dh, scale);
        }
        if (module.HasQueryKeyHook)
        {
            module.BackwardQueryKey(layer, grads.DQ, grads.DK, pb, heads, dh);
        }
        Merge(grads.DQ, dqkv, pb.Batch, t, heads, dh, 0, 3 * dim);
        Merge(grads.DK, dqkv, pb.Batch, t, heads, dh, dim, 3 * dim);
        Merge(grads.DV, dqkv, pb.Batch, t, heads, dh, 2 * dim, 3 * dim);
    }

    /// <summary>Tests only: run every scheme through the general (materialised logits) path on this thread.</summary>
    [ThreadStatic]
    internal static bool ForceGeneralPath;

    /// <summary>
    /// The fused path needs the logits only inside one (batch, head) unit, which holds when the scheme has no logit or
    /// value hook (those see the whole [B,H,T,T] tensor); a query/key hook (RoPE, xPos) runs before it as usual.
    /// </summary>
    internal static bool UsesFusedPath(PositionModule module) => !ForceGeneralPath && !module.HasLogitHook && !module.HasValueHook;

    private static void LogitsParallel(AttentionActivations act, PositionBatch pb, int heads, int t, int dh, float scale, int units, int threads) =>
        Parallelism.ForRanges(threads, units, (s, e) => Logits(act, pb, heads, t, dh, scale, s, e));

    private static void SoftmaxValuesParallel(AttentionActivations act, PositionBatch pb, int heads, int dh, bool drop,
        float dropout, ulong key, int units, int threads) =>
        Parallelism.ForRanges(threads, units, (s, e) => SoftmaxValues(act, pb, heads, dh, drop, dropout, key, s, e));

    private static void ValueGradsParallel(AttentionActivations act, AttentionGradients grads, int t, int dh, int units, int threads) =>
        Parallelism.ForRanges(threads, units, (s, e) => ValueGrads(act, grads, t, dh, s, e));

    private static void LogitGradsParallel(AttentionActivations act, AttentionGradients grads, PositionBatch pb, int heads, int dh,
        float scale, bool drop, float dropout, ulong key, int units, int threads) =>
        Parallelism.ForRanges(threads, units, (s, e) => LogitGrads(act, grads, pb, heads, dh, scale, drop, dropout, key, s, e));

    /// <summary>Rows [B,T,width] -> [B,H,T,dh]: the first D columns into a, and when given the next two D-column blocks into b and c.</summary>
    private static void Split(float[] src, float[] a, float[]? b, float[]? c, int batch, int t, int heads, int dh, int rowWidth = -1)
    {
        int dim = heads * dh;
        int width = rowWidth > 0 ? rowWidth : 3 * dim;
        for (int bi = 0; bi < batch; bi++)
        {
            for (int ti = 0; ti < t; ti++)
            {
                int row = (bi * t + ti) * width;
                for (int h = 0; h < heads; h++)
                {
                    int dst = ((bi * heads + h) * t + ti) * dh;
                    src.AsSpan(row + h * dh, dh).CopyTo(a.AsSpan(dst, dh));
                    if (b is not null && c is not null)
                    {
                        src.AsSpan(row + dim + h * dh, dh).CopyTo(b.AsSpan(dst, dh));
                        src.AsSpan(row + 2 * dim + h * dh, dh).CopyTo(c.AsSpan(dst, dh));
                    }
                }
            }
        }
    }

    /// <summary>[B,H,T,dh] -> columns [column, column + D) of rows of width <paramref name="rowWidth"/>.</summary>
    private static void Merge(float[] src, float[] dst, int batch, int t, int heads, int dh, int column, int rowWidth)
    {
        for (int bi = 0; bi < batch; bi++)
        {
            for (int ti = 0; ti < t; ti++)
            {
                int row = (bi * t + ti) * rowWidth + column;
                for (int h = 0; h < heads; h++)
                {
                    src.AsSpan(((bi * heads + h) * t + ti) * dh, dh).CopyTo(dst.AsSpan(row + h * dh, dh));
                }
            }
        }
    }

    private static void Logits(AttentionActivations act, PositionBatch pb, int heads, int t, int dh, float scale, int start, int end)
    {
        for (int u = start; u < end; u++)
        {
            var logits = act.Probs.AsSpan(u * t * t, t * t);
            Gemm.Multiply(false, true, t, t, dh, act.Q.AsSpan(u * t * dh, t * dh), dh, act.K.AsSpan(u * t * dh, t * dh), dh, logits, t);
            TensorPrimitives.Multiply(logits, scale * pb.QueryKeyFactor(u / heads), logits);
        }
    }

    private static void SoftmaxValues(AttentionActivations act, PositionBatch pb, int heads, int dh, bool drop, float dropout, ulong key, int start, int end)
    {
        int t = pb.Length;
        for (int u = start; u < end; u++)
        {
            int n = pb.Lengths[u / heads];
            for (int i = 0; i < t; i++)
            {
                // Keys at or past the sequence length are masked: their probability is exactly zero.
                var row = act.Probs.AsSpan((u * t + i) * t, t);
                var live = row[..n];
                TensorPrimitives.Subtract(live, TensorPrimitives.Max(live), live);
                TensorPrimitives.Exp(live, live);
                TensorPrimitives.Multiply(live, 1f / TensorPrimitives.Sum(live), live);
                row[n..].Clear();
            }
            if (drop)
            {
                DropoutLayer.Apply(act.Probs, act.ProbsUsed, u * t * t, t * t, dropout, key);
            }
            else if (!ReferenceEquals(act.ProbsUsed, act.Probs))
            {
                // Planned with dropout but not training (evaluation, prediction): the probabilities used are the
                // softmax itself, not the last training step's dropped copy.
                act.Probs.AsSpan(u * t * t, t * t).CopyTo(act.ProbsUsed.AsSpan(u * t * t, t * t));
            }
            Gemm.Multiply(false, false, t, dh, t, act.ProbsUsed.AsSpan(u * t * t, t * t), t,
                act.V.AsSpan(u * t * dh, t * dh), dh, act.Heads.AsSpan(u * t * dh, t * dh), dh);
        }
    }

    private static void ValueGrads(AttentionActivations act, AttentionGradients g, int t, int dh, int start, int end)
    {
        for (int u = start; u < end; u++)
        {
            var dO = g.DHeads.AsSpan(u * t * dh, t * dh);
            // dP = dO V^T ; dV = P^T dO
            Gemm.Multiply(false, true, t, t, dh, dO, dh, act.V.AsSpan(u * t * dh, t * dh), dh, g.DProbs.AsSpan(u * t * t, t * t), t);
            Gemm.Multiply(true, false, t, dh, t, act.ProbsUsed.AsSpan(u * t * t, t * t), t, dO, dh, g.DV.AsSpan(u * t * dh, t * dh), dh);
        }
    }

    private static void LogitGrads(AttentionActivations act, AttentionGradients g, PositionBatch pb, int heads, int dh,
        float scale, bool drop, float dropout, ulong key, int start, int end)
    {
        int t = pb.Length;
        for (int u = start; u < end; u++)
        {
            if (drop)
            {
                DropoutLayer.Apply(g.DProbs, g.DProbs, u * t * t, t * t, dropout, key);
            }
            for (int i = 0; i < t; i++)
            {
                // Softmax backward: dz = p * (dp - sum(p * dp)); masked keys have p = 0 and get 0.
                var p = act.Probs.AsSpan((u * t + i) * t, t);
                var d = g.DProbs.AsSpan((u * t + i) * t, t);
                float dot = TensorPrimitives.Dot(p, d);
                TensorPrimitives.Subtract(d, dot, d);
                TensorPrimitives.Multiply(d, p, d);
            }
            var dl = g.DProbs.AsSpan(u * t * t, t * t);
            float whole = pb.WholeLogitFactor(u / heads);
            if (whole != 1f)
            {
                // Gradient w.r.t. the logit before the whole-logit factor: what the hook's backward and q.k's need.
                TensorPrimitives.Multiply(dl, whole, dl);
            }
            var dq = g.DQ.AsSpan(u * t * dh, t * dh);
            var dk = g.DK.AsSpan(u * t * dh, t * dh);
            Gemm.Multiply(false, false, t, dh, t, dl, t, act.K.AsSpan(u * t * dh, t * dh), dh, dq, dh);
            Gemm.Multiply(true, false, t, dh, t, dl, t, act.Q.AsSpan(u * t * dh, t * dh), dh, dk, dh);
            float unitScale = scale * pb.QueryKeyFactor(u / heads);
            TensorPrimitives.Multiply(dq, unitScale, dq);
            TensorPrimitives.Multiply(dk, unitScale, dk);
        }
    }
}
