using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// Attention for schemes without logit or value hooks (none, sinusoidal, learned, RoPE, xPos): each (batch, head)
/// unit runs QK^T, scale, padding mask and softmax, then PV, while its T x T block is hot in L1, instead of every
/// unit's logits going through memory between separate passes. Values are read in place from qkv and head outputs
/// written in place into the merged [B,T,D] output; each unit copies out its own Q and K rows, and applies RoPE to
/// them right there when the scheme can rotate rows (<see cref="IRowRotation"/>; other query/key hooks run as a
/// whole-tensor pass first), and its dQ/dK go straight back into dqkv. Masked keys are skipped rather than multiplied by zero, which leaves every sum unchanged. The
/// probabilities are kept for the backward pass, which fuses the softmax backward and the 1/sqrt(dh) scale the
/// same way. Each unit's arithmetic is fixed, so results do not depend on the thread count.
/// </summary>
internal static class FusedAttention
{
    public static void Forward(int layer, float[] qkv, float[] output, AttentionActivations act, PositionModule module,
        PositionBatch pb, int dim, int heads, float dropout, ulong dropoutKey, bool training, int threads, bool keep = true)
    {
        if (training && !keep)
        {
            throw new ArgumentException("A training forward keeps its activations for the backward.", nameof(keep));
        }

        int dh = dim / heads, t = pb.Length, units = pb.Batch * heads;
        IRowRotation? rotation = RowHook(module, pb, dh);
        bool perUnit = rotation is not null || !module.HasQueryKeyHook;
        if (!perUnit)
        {
            // A whole-tensor query/key hook (xPos, rotate-half) needs every q and k split out first.
            SplitQueryKey(qkv, act.Q, act.K, pb.Batch, t, heads, dh);
            module.ForwardQueryKey(layer, act.Q, act.K, pb, heads, dh);
        }

        float scale = 1f / MathF.Sqrt(dh);
        bool drop = training && dropout > 0;
        if (drop && ReferenceEquals(act.ProbsUsed, act.Probs))
        {
            throw new InvalidOperationException("Attention dropout at training time needs activations planned with dropout.");
        }

        var work = new ForwardWork(qkv, output, act, pb, heads, dh, scale, drop, dropout, dropoutKey, perUnit, rotation, keep);
        if (Parallelism.Worth(threads, units, 4L * t * t * dh))
        {
            Parallelism.For(threads, units, ref work, parts: 4 * threads);
        }
        else
        {
            work.Run(0, units);
        }
    }

    public static void Backward(int layer, float[] dOutput, float[] dqkv, AttentionActivations act, AttentionGradients grads,
        PositionModule module, PositionBatch pb, int dim, int heads, float dropout, ulong dropoutKey, bool training, int threads)
    {
        int dh = dim / heads, t = pb.Length, units = pb.Batch * heads;
        float scale = 1f / MathF.Sqrt(dh);
        bool drop = training && dropout > 0;
        IRowRotation? rotation = RowHook(module, pb, dh);
        bool perUnit = rotation is not null || !module.HasQueryKeyHook;
        var work = new BackwardWork(dOutput, dqkv, act, grads, pb, heads, dh, scale, drop, dropout, dropoutKey, perUnit, rotation);
        if (Parallelism.Worth(threads, units, 8L * t * t * dh))
        {
            Parallelism.For(threads, units, ref work, parts: 4 * threads);
        }
        else
        {
            work.Run(0, units);
        }

        if (!perUnit)
        {
            module.BackwardQueryKey(layer, grads.DQ, grads.DK, pb, heads, dh);
            MergeQueryKey(grads.DQ, grads.DK, dqkv, pb.Batch, t, heads, dh);
        }
    }

    /// <summary>
    /// True when <paramref name="module"/>'s attention runs unit by unit with nothing before it (no logit, value or
    /// whole-tensor query/key hook), so sequences can be attended to one group at a time (<see cref="ForwardSequences"/>);
    /// <paramref name="rotation"/> is then the per-unit rotation, or null for none.
    /// </summary>
    public static bool RunsBySequence(PositionModule module, PositionBatch pb, int dh, out IRowRotation? rotation)
    {
        rotation = null;
        if (!AttentionLayer.UsesFusedPath(module))
        {
            return false;
        }

        rotation = RowHook(module, pb, dh);
        return rotation is not null || !module.HasQueryKeyHook;
    }

    /// <summary>
    /// Attention without dropout of sequences [<paramref name="first"/>, <paramref name="end"/>) on the calling thread: the
    /// same bits as <see cref="Forward"/>, keeping q, k and the probabilities for the backward when <paramref name="keep"/>
    /// (else in the thread's scratch). Needs <see cref="RunsBySequence"/> first; the caller sets <c>act.Qkv</c>.
    /// </summary>
    public static void ForwardSequences(float[] qkv, float[] output, AttentionActivations act, PositionBatch pb, int dim, int heads,
        IRowRotation? rotation, bool keep, int first, int end)
    {
        int dh = dim / heads;
        ForwardUnits(qkv, output, act, pb, heads, dh, 1f / MathF.Sqrt(dh), false, 0f, 0, true, rotation, keep, first * heads, end * heads);
    }

    /// <summary>The scheme's rotation when it can be applied per head inside the unit loop (RoPE), else null.</summary>
    private static IRowRotation? RowHook(PositionModule module, PositionBatch pb, int dh)
    {
        // Explicit (randomized) positions go through the whole-tensor hook, which reads them; rows are rotated by index.
        if (pb.Positions is null && module is IRowRotation rotation && module.HasQueryKeyHook && rotation.RotatesRows(dh))
        {
            rotation.PrepareRows(pb);
            return rotation;
        }

        return null;
    }

    private readonly struct ForwardWork(float[] qkv, float[] output, AttentionActivations act, PositionBatch pb, int heads, int dh,
        float scale, bool drop, float dropout, ulong key, bool perUnit, IRowRotation? rotation, bool keep) : IRangeWork
    {
        public void Run(int start, int end) => ForwardUnits(qkv, output, act, pb, heads, dh, scale, drop, dropout, key, perUnit, rotation, keep, start, end);
    }

    /// <summary>A unit's q, k and probabilities when nothing is kept for a backward: per thread, reused unit after unit, so they stay in cache.</summary>
    [ThreadStatic]
    private static float[]? s_unit;

    private static float[] UnitScratch(int floats)
    {
        var a = s_unit;
        if (a is null || a.Length < floats)
        {
            s_unit = a = new float[floats];
        }

        return a;
    }

    private readonly struct BackwardWork(float[] dOutput, float[] dqkv, AttentionActivations act, AttentionGradients grads, PositionBatch pb,
        int heads, int dh, float scale, bool drop, float dropout, ulong key, bool perUnit, IRowRotation? rotation) : IRangeWork
    {
        public void Run(int start, int end) =>
            BackwardUnits(dOutput, dqkv, act, grads, pb, heads, dh, scale, drop, dropout, key, perUnit, rotation, start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardUnits(float[] qkv, float[] output, AttentionActivations act, PositionBatch pb, int heads, int dh,
        float scale, bool drop, float dropout, ulong key, bool perUnit, IRowRotation? rotation, bool keep, int start, int end)
    {
        int t = pb.Length, dim = heads * dh, width = 3 * dim;
        float[]? scratch = keep ? null : UnitScratch(2 * t * dh + t * t);
        for (int u = start; u < end; u++)
        {
            int b = u / heads, h = u % heads, n = pb.Lengths[b];
            float unitScale = scale * pb.LogLengthFactor(b);
            // Kept: this unit's slices of the activations. Not kept: the thread's scratch (a whole-tensor hook has
            // already written q and k into the activations, so they are read from there).
            Span<float> q = scratch is null || !perUnit ? act.Q.AsSpan(u * t * dh, t * dh) : scratch.AsSpan(0, t * dh);
            Span<float> k = scratch is null || !perUnit ? act.K.AsSpan(u * t * dh, t * dh) : scratch.AsSpan(t * dh, t * dh);
            if (perUnit)
            {
                // This head's q and k rows, copied out (and rotated) while the unit runs: no whole-tensor pass.
                var qSource = qkv.AsSpan(b * t * width + h * dh);
                var kSource = qkv.AsSpan(b * t * width + dim + h * dh);
                if (rotation is not null)
                {
                    rotation.RotateRows(qSource, width, q, dh, t, n, inverse: false);
                    rotation.RotateRows(kSource, width, k, dh, t, n, inverse: false);
                }
                else
                {
                    CopyRows(qSource, width, q, dh, t, dh);
                    CopyRows(kSource, width, k, dh, t, dh);
                }
            }

            var logits = scratch is null ? act.Probs.AsSpan(u * t * t, t * t) : scratch.AsSpan(2 * t * dh, t * t);
            // S[:, :n] = Q K[:n]^T; columns of padded keys are never formed.
            Gemm.Multiply(false, true, t, n, dh, q, dh, k[..(n * dh)], dh, logits, t);
            for (int i = 0; i < t; i++)
            {
                SoftmaxRow(logits.Slice(i * t, t), n, unitScale);
            }

            if (drop)
            {
                DropoutLayer.Apply(act.Probs, act.ProbsUsed, u * t * t, t * t, dropout, key);
            }
            else if (scratch is null && !ReferenceEquals(act.ProbsUsed, act.Probs))
            {
                // Planned with dropout but not training: the probabilities used are the softmax itself.
                logits.CopyTo(act.ProbsUsed.AsSpan(u * t * t, t * t));
            }

            // O = P[:, :n] V[:n], V read in place (row stride 3D) and O written in place (row stride D).
            Gemm.Multiply(false, false, t, dh, n, scratch is null ? act.ProbsUsed.AsSpan(u * t * t, t * t) : logits, t,
                qkv.AsSpan(b * t * width + 2 * dim + h * dh), width, output.AsSpan(b * t * dim + h * dh), dim);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardUnits(float[] dOutput, float[] dqkv, AttentionActivations act, AttentionGradients g, PositionBatch pb,
        int heads, int dh, float scale, bool drop, float dropout, ulong key, bool perUnit, IRowRotation? rotation, int start, int end)
    {
        int t = pb.Length, dim = heads * dh, width = 3 * dim;
        float[] qkv = act.Qkv;
        for (int u = start; u < end; u++)
        {
            int b = u / heads, h = u % heads, n = pb.Lengths[b];
            float unitScale = scale * pb.LogLengthFactor(b);
            var dO = dOutput.AsSpan(b * t * dim + h * dh);
            var dP = g.DProbs.AsSpan(u * t * t, t * t);
            var probsUsed = act.ProbsUsed.AsSpan(u * t * t, t * t);
            var dV = dqkv.AsSpan(b * t * width + 2 * dim + h * dh);
            // dP[:, :n] = dO V[:n]^T ; dV[:n] = P[:, :n]^T dO ; padded values get zero.
            Gemm.Multiply(false, true, t, n, dh, dO, dim, qkv.AsSpan(b * t * width + 2 * dim + h * dh), width, dP, t);
            Gemm.Multiply(true, false, n, dh, t, probsUsed, t, dO, dim, dV, width);
            for (int j = n; j < t; j++)
            {
                dV.Slice(j * width, dh).Clear();
            }

            if (drop)
            {
                DropoutLayer.Apply(g.DProbs, g.DProbs, u * t * t, t * t, dropout, key);
            }

            var probs = act.Probs.AsSpan(u * t * t, t * t);
            for (int i = 0; i < t; i++)
            {
                SoftmaxBackwardRow(probs.Slice(i * t, t), dP.Slice(i * t, t), n, unitScale);
            }

            // dQ = dS[:, :n] K[:n] ; dK[:n] = dS[:, :n]^T Q (dS already carries the 1/sqrt(dh) scale). Per unit they go
            // straight into dqkv (row stride 3D) and are rotated back there; otherwise into [B,H,T,dh] for the hook.
            Span<float> dq, dk;
            int ld;
            if (perUnit)
            {
                dq = dqkv.AsSpan(b * t * width + h * dh);
                dk = dqkv.AsSpan(b * t * width + dim + h * dh);
                ld = width;
            }
            else
            {
                dq = g.DQ.AsSpan(u * t * dh, t * dh);
                dk = g.DK.AsSpan(u * t * dh, t * dh);
                ld = dh;
            }

            Gemm.Multiply(false, false, t, dh, n, dP, t, act.K.AsSpan(u * t * dh, n * dh), dh, dq, ld);
            Gemm.Multiply(true, false, n, dh, t, dP, t, act.Q.AsSpan(u * t * dh, t * dh), dh, dk, ld);
            for (int j = n; j < t; j++)
            {
                dk.Slice(j * ld, dh).Clear();
            }

            if (rotation is not null)
            {
                rotation.RotateRows(dq, ld, t, n, inverse: true);
                rotation.RotateRows(dk, ld, t, n, inverse: true);
            }
        }
    }

    /// <summary>
    /// row[:n] = softmax(scale * row[:n]) in place and row[n:] = 0 (masked keys). Scale is positive, so the
    /// maximum of the scaled row is scale times the row's maximum.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void SoftmaxRow(Span<float> row, int n, float scale)
    {
        ref float r = ref row[0];
        int j = 0;
        Vector256<float> vmax = Vector256.Create(float.NegativeInfinity);
        for (; j + 8 <= n; j += 8)
        {
            vmax = Vector256.MaxNative(vmax, Vector256.LoadUnsafe(ref r, (nuint)j));
        }

        float max = MaxOf(vmax);
        for (; j < n; j++)
        {
            max = MathF.Max(max, Unsafe.Add(ref r, j));
        }

        var vs = Vector256.Create(scale);
        float shift = -scale * max;
        var vshift = Vector256.Create(shift);
        Vector256<float> vsum = Vector256<float>.Zero;
        j = 0;
        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> e = VectorMath.Exp(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, (nuint)j), vs, vshift));
            e.StoreUnsafe(ref r, (nuint)j);
            vsum += e;
        }

        float sum = Vector256.Sum(vsum);
        for (; j < n; j++)
        {
            // The scalar form of the same exp, so a key's value does not depend on its lane.
            float e = VectorMath.Exp(MathF.FusedMultiplyAdd(Unsafe.Add(ref r, j), scale, shift));
            Unsafe.Add(ref r, j) = e;
            sum += e;
        }

        float invSum = 1f / sum;
        var inv = Vector256.Create(invSum);
        j = 0;
        for (; j + 8 <= n; j += 8)
        {
            (Vector256.LoadUnsafe(ref r, (nuint)j) * inv).StoreUnsafe(ref r, (nuint)j);
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref r, j) *= invSum;
        }

        row[n..].Clear();
    }

    /// <summary>dS[:n] = p (dp - p.dp) scale in place over dp, and dS[n:] = 0 (masked keys have p = 0).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void SoftmaxBackwardRow(ReadOnlySpan<float> p, Span<float> dp, int n, float scale)
    {
        ref float pr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(p);
        ref float dr = ref dp[0];
        int j = 0;
        Vector256<float> vdot = Vector256<float>.Zero;
        for (; j + 8 <= n; j += 8)
        {
            vdot = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pr, (nuint)j), Vector256.LoadUnsafe(ref dr, (nuint)j), vdot);
        }

        float dot = Vector256.Sum(vdot);
        for (; j < n; j++)
        {
            dot = MathF.FusedMultiplyAdd(p[j], dp[j], dot);
        }

        var vd = Vector256.Create(dot);
        var vs = Vector256.Create(scale);
        j = 0;
        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> pv = Vector256.LoadUnsafe(ref pr, (nuint)j);
            ((Vector256.LoadUnsafe(ref dr, (nuint)j) - vd) * pv * vs).StoreUnsafe(ref dr, (nuint)j);
        }

        for (; j < n; j++)
        {
            dp[j] = (dp[j] - dot) * p[j] * scale;
        }

        dp[n..].Clear();
    }

    /// <summary>rows x width floats from a strided source to a strided destination, eight lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void CopyRows(ReadOnlySpan<float> source, int sourceStride, Span<float> destination, int destinationStride, int rows, int width)
    {
        if (rows == 0)
        {
            return;
        }

        _ = source[((rows - 1) * sourceStride) + width - 1] + destination[((rows - 1) * destinationStride) + width - 1];
        ref float s0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source);
        ref float d0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        for (int i = 0; i < rows; i++)
        {
            ref float src = ref Unsafe.Add(ref s0, i * sourceStride);
            ref float dst = ref Unsafe.Add(ref d0, i * destinationStride);
            int j = 0;
            for (; j + 8 <= width; j += 8)
            {
                Vector256.LoadUnsafe(ref src, (nuint)j).StoreUnsafe(ref dst, (nuint)j);
            }

            for (; j < width; j++)
            {
                Unsafe.Add(ref dst, j) = Unsafe.Add(ref src, j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxOf(Vector256<float> v)
    {
        Vector128<float> m = Vector128.MaxNative(v.GetLower(), v.GetUpper());
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    /// <summary>qkv rows [B,T,3D] -> q, k [B,H,T,dh] (values stay in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitQueryKey(float[] qkv, float[] q, float[] k, int batch, int t, int heads, int dh)
    {
        int dim = heads * dh, width = 3 * dim;
        for (int b = 0; b < batch; b++)
        {
            for (int ti = 0; ti < t; ti++)
            {
                int row = (b * t + ti) * width;
                for (int h = 0; h < heads; h++)
                {
                    int dst = ((b * heads + h) * t + ti) * dh;
                    qkv.AsSpan(row + h * dh, dh).CopyTo(q.AsSpan(dst, dh));
                    qkv.AsSpan(row + dim + h * dh, dh).CopyTo(k.AsSpan(dst, dh));
                }
            }
        }
    }

    /// <summary>dq, dk [B,H,T,dh] -> columns [0, 2D) of dqkv rows [B,T,3D] (the value third is written by the units).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeQueryKey(float[] dq, float[] dk, float[] dqkv, int batch, int t, int heads, int dh)
    {
        int dim = heads * dh, width = 3 * dim;
        for (int b = 0; b < batch; b++)
        {
            for (int ti = 0; ti < t; ti++)
            {
                int row = (b * t + ti) * width;
                for (int h = 0; h < heads; h++)
                {
                    int src = ((b * heads + h) * t + ti) * dh;
                    dq.AsSpan(src, dh).CopyTo(dqkv.AsSpan(row + h * dh, dh));
                    dk.AsSpan(src, dh).CopyTo(dqkv.AsSpan(row + dim + h * dh, dh));
                }
            }
        }
    }
}
