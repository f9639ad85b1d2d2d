using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace MLComponents.Numerics;

/// <summary>
/// The rotation maths of RoPE and xPos for one head size, written once and used by both the module and the
/// inspection API: r rotated dimensions (the first ones of a head), r/2 pairs, pair i turning at
/// base'^(-2i/r) radians per (scaled) position, YaRN's per-pair frequencies and its q/k scale. A geometry holds one
/// fixed scaling; a dynamic rule's geometry is the unscaled one, and <see cref="ForLength"/> gives a sequence's own.
/// </summary>
internal sealed class RotaryGeometry
{
    private readonly RotaryOptions _options;

    public RotaryGeometry(RotaryOptions options, int headDimension) : this(options, headDimension, options.Scaling.ForLength(0))
    {
    }

    private RotaryGeometry(RotaryOptions options, int headDimension, RotaryScaling applied)
    {
        if (headDimension < 2) throw new ArgumentException($"RoPE needs a head dimension of at least 2, got {headDimension}.", nameof(headDimension));
        int r = (int)Math.Floor((options.RotaryFraction * headDimension) + 1e-9);
        r -= r % 2;
        if (r < 2)
            throw new ArgumentException(
                $"Option 'rotaryFraction' = {options.RotaryFraction} rotates {r} of {headDimension} head dimensions; at least one pair (2) is needed.",
                "rotaryFraction");
        _options = options;
        HeadDimension = headDimension;
        RotatedDimensions = r;
        Pairing = options.Pairing;
        double effectiveBase = options.Base;
        if (applied.Kind == RotaryScalingKind.NtkAware && r > 2)
            effectiveBase *= Math.Pow(applied.Factor, r / (double)(r - 2));
        PositionDivisor = applied.Kind == RotaryScalingKind.Linear ? applied.Factor : 1;
        InverseFrequency = new double[r / 2];
        for (int i = 0; i < InverseFrequency.Length; i++)
            InverseFrequency[i] = Math.Pow(effectiveBase, -2.0 * i / r);
        // YaRN with factor 1 is exactly the unscaled geometry: the blend below is not bit-exact at factor 1, so it is skipped.
        if (applied.Kind == RotaryScalingKind.Yarn && applied.Factor != 1)
        {
            for (int i = 0; i < InverseFrequency.Length; i++)
            {
                double theta = InverseFrequency[i];
                double turns = applied.OriginalLength / (2 * Math.PI / theta);
                double ramp = Math.Clamp((turns - applied.Alpha) / (applied.Beta - applied.Alpha), 0, 1);
                InverseFrequency[i] = ((1 - ramp) * theta / applied.Factor) + (ramp * theta);
            }
        }
        QueryKeyScale = applied.QueryKeyScale(0);
    }

    public int HeadDimension { get; }
    public int RotatedDimensions { get; }
    public int Pairs => RotatedDimensions / 2;
    public RotaryPairing Pairing { get; }
    public double PositionDivisor { get; }
    public double[] InverseFrequency { get; }

    /// <summary>The factor on q and k (YaRN's 0.1 ln(factor) + 1; 1 otherwise), folded into the cos/sin tables.</summary>
    public double QueryKeyScale { get; }

    /// <summary>True when the scaling is dynamic: sequences longer than <see cref="OriginalLength"/> get geometries of their own.</summary>
    public bool IsDynamic => _options.Scaling.IsDynamic;

    /// <summary>The dynamic rule's original length (0 when not dynamic).</summary>
    public int OriginalLength => IsDynamic ? _options.Scaling.OriginalLength : 0;

    /// <summary>True when a sequence of <paramref name="sequenceLength"/> real tokens uses this geometry as it is.</summary>
    public bool IsOwnFor(int sequenceLength) => !IsDynamic || sequenceLength <= OriginalLength;

    /// <summary>The geometry of a sequence of <paramref name="sequenceLength"/> real tokens (this one unless dynamic and longer).</summary>
    public RotaryGeometry ForLength(int sequenceLength) =>
        IsOwnFor(sequenceLength) ? this : new RotaryGeometry(_options, HeadDimension, _options.Scaling.ForLength(sequenceLength));

    public double Angle(int position, int pair) => position / PositionDivisor * InverseFrequency[pair];

    public float[] Angles(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var result = new float[length * Pairs];
        for (int t = 0; t < length; t++)
            for (int i = 0; i < Pairs; i++)
                result[(t * Pairs) + i] = (float)Angle(t, i);
        return result;
    }
}

/// <summary>xPos decay: zeta_i = (2i/r + gamma)/(1 + gamma), applied as zeta_i^(n/scaleBase).</summary>
internal readonly record struct XPosScale(double Gamma, double ScaleBase)
{
    public double Zeta(int pair, int pairs) => ((pair / (double)pairs) + Gamma) / (1 + Gamma);

    public double Scale(int pair, int pairs, int centredPosition) => Math.Pow(Zeta(pair, pairs), centredPosition / ScaleBase);
}

/// <summary>
/// A query/key hook the engine may apply one head's rows at a time, inside its own per-(batch, head) attention loop,
/// instead of as a pass over the whole [B,H,T,dh] tensors: the same arithmetic, without a separate sweep over memory.
/// </summary>
internal interface IRowRotation
{
    /// <summary>True when this instance can rotate rows of <paramref name="headDimension"/> floats on its own (no per-position state beyond the sequence's length).</summary>
    bool RotatesRows(int headDimension);

    /// <summary>Makes the tables for every sequence of <paramref name="batch"/>, batch.Length rows each (call before rotating from several threads).</summary>
    void PrepareRows(PositionBatch batch);

    /// <summary>
    /// Rotates rows 0..rows-1 in place, row i (at position i) at x[i * stride .. + dh), for a sequence of
    /// <paramref name="sequenceLength"/> real tokens (dynamic scaling picks its tables by it); <paramref name="inverse"/>
    /// applies the transpose rotation (the backward of the forward rotation). Same bits as the whole-tensor hook.
    /// </summary>
    void RotateRows(Span<float> x, int stride, int rows, int sequenceLength, bool inverse);

    /// <summary>
    /// As <see cref="RotateRows(Span{float}, int, int, int, bool)"/> from <paramref name="source"/> (row stride
    /// <paramref name="sourceStride"/>) into <paramref name="destination"/>: the engine's copy out of qkv and the
    /// rotation in one pass. Dimensions past the rotated ones are copied unchanged.
    /// </summary>
    void RotateRows(ReadOnlySpan<float> source, int sourceStride, Span<float> destination, int destinationStride, int rows, int sequenceLength, bool inverse);
}

/// <summary>
/// Runtime of RoPE (and xPos when <c>xPos</c> is given): rotates q and k in place per position; the backward is
/// the inverse rotation (times the same xPos scale, since scaling a pair commutes with rotating it). No
/// parameters. cos/sin (and xPos scale) tables are built for the largest length seen and reused. YaRN's q/k scale is
/// folded into cos/sin (a scaled rotation's transpose is the scaled inverse, so the backward needs nothing more). With a
/// dynamic scaling, sequences up to the original length use the unscaled tables and each longer real length gets tables of
/// its own, built once and cached (a bounded number of lengths), so training at or below the original length allocates
/// nothing extra and computes exactly what the unscaled scheme does.
/// </summary>
internal sealed class RotaryModule : PositionModule, IRowRotation
{
    // Dynamic scaling: tables for at most this many distinct long lengths are kept; a batch needing another clears them.
    private const int MaxCachedLengths = 64;

    private readonly RotaryGeometry _geometry;
    private readonly XPosScale? _xPos;
    private readonly Tables _own;
    private readonly Dictionary<int, Tables> _byLength = [];
    private int _scaleCapacity;
    private float[] _scale = []; // xPos: [2C+1, P], row n + C holds zeta^(n/scaleBase)

    public RotaryModule(RotaryGeometry geometry, XPosScale? xPos, int maxTokens)
    {
        _geometry = geometry;
        _xPos = xPos;
        _own = new Tables(geometry);
        int length = Math.Max(1, maxTokens);
        _own.Ensure(length);
        EnsureScale(length);
    }

    public override bool HasQueryKeyHook => true;

    // RoPE reads a token's position from the batch; xPos centres on the real length and stays index-based.
    public override bool SupportsExplicitPositions => _xPos is null;

    public bool RotatesRows(int headDimension) =>
        headDimension == _geometry.HeadDimension && _xPos is null && _geometry.Pairing == RotaryPairing.Interleaved
        && _geometry.RotatedDimensions % 8 == 0 && Vector256.IsHardwareAccelerated;

    public override void ForwardQueryKey(int layer, float[] q, float[] k, PositionBatch batch, int heads, int headDimension) =>
        Apply(q, k, batch, heads, headDimension, inverse: false);

    public override void BackwardQueryKey(int layer, float[] dq, float[] dk, PositionBatch batch, int heads, int headDimension) =>
        Apply(dq, dk, batch, heads, headDimension, inverse: true);

    public void PrepareRows(PositionBatch batch) => Prepare(batch, batch.Length);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RotateRows(Span<float> x, int stride, int rows, int sequenceLength, bool inverse) =>
        RotateRows(x, stride, x, stride, rows, sequenceLength, inverse);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RotateRows(ReadOnlySpan<float> source, int sourceStride, Span<float> destination, int destinationStride, int rows, int sequenceLength, bool inverse)
    {
        var tables = TablesFor(sequenceLength);
        if (rows > tables.Capacity)
            throw new InvalidOperationException($"RoPE tables hold {tables.Capacity} positions; call PrepareRows with a batch of {rows} first.");
        int r = _geometry.RotatedDimensions, dh = _geometry.HeadDimension;
        if (rows > 0 && (source.Length < ((rows - 1) * sourceStride) + dh || destination.Length < ((rows - 1) * destinationStride) + dh))
            throw new ArgumentException("Row spans are shorter than rows x stride.");
        var swap = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
        ref float src0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source);
        ref float dst0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        ref float cos0 = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(tables.CosPairs);
        ref float sin0 = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(tables.SinPairs);
        bool inPlace = Unsafe.AreSame(ref src0, ref dst0) && sourceStride == destinationStride;
        for (int t = 0; t < rows; t++)
        {
            ref float src = ref Unsafe.Add(ref src0, t * sourceStride);
            ref float dst = ref Unsafe.Add(ref dst0, t * destinationStride);
            ref float cos = ref Unsafe.Add(ref cos0, t * r);
            ref float sin = ref Unsafe.Add(ref sin0, t * r);
            // Term for term RotatePairs (same bits as the whole-tensor hook).
            for (int j = 0; j < r; j += 8)
            {
                var c = Vector256.LoadUnsafe(ref cos, (nuint)j);
                var s = Vector256.LoadUnsafe(ref sin, (nuint)j);
                var x = Vector256.LoadUnsafe(ref src, (nuint)j);
                (inverse ? (x * c) - (Vector256.Shuffle(x, swap) * s) : (x * c) + (Vector256.Shuffle(x, swap) * s)).StoreUnsafe(ref dst, (nuint)j);
            }
            if (!inPlace)
                for (int j = r; j < dh; j++)
                    Unsafe.Add(ref dst, j) = Unsafe.Add(ref src, j);
        }
    }

    /// <summary>The tables of a sequence of <paramref name="sequenceLength"/> real tokens (prepared by <see cref="Prepare"/>).</summary>
    private Tables TablesFor(int sequenceLength)
    {
        if (_geometry.IsOwnFor(sequenceLength)) return _own;
        return _byLength.TryGetValue(sequenceLength, out var tables)
            ? tables
            : throw new InvalidOperationException($"RoPE has no tables for a sequence of {sequenceLength} tokens; call PrepareRows first.");
    }

    /// <summary>Tables of <paramref name="rows"/> positions for every sequence of the batch.</summary>
    private void Prepare(PositionBatch batch, int rows)
    {
        _own.Ensure(rows);
        EnsureScale(rows);
        if (!_geometry.IsDynamic) return;
        if (_byLength.Count >= MaxCachedLengths)
        {
            bool allCached = true;
            for (int b = 0; b < batch.Batch; b++)
                allCached &= _geometry.IsOwnFor(batch.Lengths[b]) || _byLength.ContainsKey(batch.Lengths[b]);
            if (!allCached) _byLength.Clear();
        }
        for (int b = 0; b < batch.Batch; b++)
        {
            int n = batch.Lengths[b];
            if (_geometry.IsOwnFor(n)) continue;
            if (!_byLength.TryGetValue(n, out var tables))
            {
                tables = new Tables(_geometry.ForLength(n));
                _byLength.Add(n, tables);
            }
            tables.Ensure(rows);
        }
    }

    private void EnsureScale(int length)
    {
        if (_xPos is not { } x || length <= _scaleCapacity) return;
        int p = _geometry.Pairs;
        var scale = new float[((2 * length) + 1) * p];
        for (int n = -length; n <= length; n++)
            for (int i = 0; i < p; i++)
                scale[((n + length) * p) + i] = (float)x.Scale(i, p, n);
        _scale = scale;
        _scaleCapacity = length;
    }

    private void Apply(float[] q, float[] k, PositionBatch batch, int heads, int headDimension, bool inverse)
    {
        if (headDimension != _geometry.HeadDimension)
            throw new ArgumentException($"RoPE module was built for head dimension {_geometry.HeadDimension}, called with {headDimension}.", nameof(headDimension));
        int length = batch.Length;
        int rows = length;
        if (batch.Positions is { } positions)
        {
            if (_xPos is not null) throw new InvalidOperationException("xPos does not take explicit positions.");
            rows = Math.Max(rows, MaxPosition(positions, batch.Batch * length) + 1);
        }
        Prepare(batch, rows);
        int units = batch.Batch * heads;
        long work = (long)units * length * _geometry.RotatedDimensions;
        // The serial path calls ApplyHead directly: a lambda here would allocate its closure on every call,
        // even when the loop runs on this thread (the engine's training step is allocation-free).
        if (work < 32768 || Threads == 1)
        {
            for (int bh = 0; bh < units; bh++) ApplyHead(q, k, batch, heads, bh, inverse);
        }
        else
        {
            ApplyParallel(q, k, batch, heads, units, inverse);
        }
    }

    private void ApplyParallel(float[] q, float[] k, PositionBatch batch, int heads, int rows, bool inverse) =>
        ParallelFor(rows, bh => ApplyHead(q, k, batch, heads, bh, inverse));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyHead(float[] q, float[] k, PositionBatch batch, int heads, int bh, bool inverse)
    {
        int length = batch.Length, dh = _geometry.HeadDimension, p = _geometry.Pairs;
        bool interleaved = _geometry.Pairing == RotaryPairing.Interleaved;
        float sign = inverse ? -1f : 1f;
        int b = bh / heads;
        var tables = TablesFor(batch.Lengths[b]);
        float[] cosTable = tables.Cos, sinTable = tables.Sin;
        int centre = _xPos is null ? 0 : batch.Lengths[b] / 2;
        if (batch.Positions is not null)
        {
            // Explicit (randomized) positions: token t takes the cos/sin row of its position.
            for (int t = 0; t < length; t++)
            {
                int at = batch.Position(b, t);
                int offset = ((bh * length) + t) * dh;
                var cos = new ReadOnlySpan<float>(cosTable, at * p, p);
                var sin = new ReadOnlySpan<float>(sinTable, at * p, p);
                Rotate(q.AsSpan(offset, dh), cos, sin, default, sign, interleaved);
                Rotate(k.AsSpan(offset, dh), cos, sin, default, sign, interleaved);
            }
            return;
        }
        if (_xPos is null && interleaved && _geometry.RotatedDimensions % 8 == 0 && Vector256.IsHardwareAccelerated)
        {
            int r = _geometry.RotatedDimensions;
            for (int t = 0; t < length; t++)
            {
                int offset = ((bh * length) + t) * dh;
                RotatePairs(q.AsSpan(offset, r), k.AsSpan(offset, r), tables.CosPairs.AsSpan(t * r, r), tables.SinPairs.AsSpan(t * r, r), inverse);
            }
            return;
        }
        for (int t = 0; t < length; t++)
        {
            var cos = new ReadOnlySpan<float>(cosTable, t * p, p);
            var sin = new ReadOnlySpan<float>(sinTable, t * p, p);
            int offset = ((bh * length) + t) * dh;
            if (_xPos is null)
            {
                Rotate(q.AsSpan(offset, dh), cos, sin, default, sign, interleaved);
                Rotate(k.AsSpan(offset, dh), cos, sin, default, sign, interleaved);
            }
            else
            {
                int n = t - centre;
                Rotate(q.AsSpan(offset, dh), cos, sin, new ReadOnlySpan<float>(_scale, (n + _scaleCapacity) * p, p), sign, interleaved);
                Rotate(k.AsSpan(offset, dh), cos, sin, new ReadOnlySpan<float>(_scale, (-n + _scaleCapacity) * p, p), sign, interleaved);
            }
        }
    }

    private static int MaxPosition(int[] positions, int count)
    {
        int max = 0;
        for (int i = 0; i < count; i++) max = Math.Max(max, positions[i]);
        return max;
    }

    // The interleaved rotation of one q row and one k row, eight lanes at a time: x cos + swap(x) (-sin, sin) per pair,
    // which is term for term the scalar Rotate below (a cos + b (-sin) = a cos - b sin; b cos + a sin), so the bits agree.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RotatePairs(Span<float> q, Span<float> k, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, bool inverse, bool both = true)
    {
        var swap = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
        for (int j = 0; j < q.Length; j += 8)
        {
            var c = Vector256.Create(cos.Slice(j, 8));
            var s = Vector256.Create(sin.Slice(j, 8));
            var x = Vector256.Create(q.Slice(j, 8));
            if (inverse)
                ((x * c) - (Vector256.Shuffle(x, swap) * s)).CopyTo(q.Slice(j, 8));
            else
                ((x * c) + (Vector256.Shuffle(x, swap) * s)).CopyTo(q.Slice(j, 8));
            if (!both) continue;
            var y = Vector256.Create(k.Slice(j, 8));
            if (inverse)
                ((y * c) - (Vector256.Shuffle(y, swap) * s)).CopyTo(k.Slice(j, 8));
            else
                ((y * c) + (Vector256.Shuffle(y, swap) * s)).CopyTo(k.Slice(j, 8));
        }
    }

    // (a, b) -> scale * (a cos - sign b sin, sign a sin + b cos); sign -1 is the transpose (inverse) rotation.
    private static void Rotate(Span<float> row, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, ReadOnlySpan<float> scale, float sign, bool interleaved)
    {
        int p = cos.Length;
        bool scaled = !scale.IsEmpty;
        for (int i = 0; i < p; i++)
        {
            int ia = interleaved ? 2 * i : i;
            int ib = interleaved ? (2 * i) + 1 : i + p;
            float c = cos[i], s = sign * sin[i];
            if (scaled)
            {
                c *= scale[i];
                s *= scale[i];
            }
            float a = row[ia], b = row[ib];
            row[ia] = (a * c) - (b * s);
            row[ib] = (a * s) + (b * c);
        }
    }

    /// <summary>
    /// cos/sin of one geometry for positions 0..Capacity-1, [C, P], times the geometry's q/k scale (YaRN; 1 leaves the
    /// bits of cos/sin alone), and for the interleaved pairing also [C, r] with cos_i twice and (-sin_i, sin_i) per pair.
    /// </summary>
    private sealed class Tables(RotaryGeometry geometry)
    {
        public int Capacity { get; private set; }
        public float[] Cos { get; private set; } = [];
        public float[] Sin { get; private set; } = [];
        public float[] CosPairs { get; private set; } = [];
        public float[] SinPairs { get; private set; } = [];

        public void Ensure(int length)
        {
            if (length <= Capacity) return;
            int p = geometry.Pairs;
            double m = geometry.QueryKeyScale;
            var cos = new float[length * p];
            var sin = new float[length * p];
            for (int t = 0; t < length; t++)
                for (int i = 0; i < p; i++)
                {
                    double a = geometry.Angle(t, i);
                    cos[(t * p) + i] = (float)(Math.Cos(a) * m);
                    sin[(t * p) + i] = (float)(Math.Sin(a) * m);
                }
            if (geometry.Pairing == RotaryPairing.Interleaved)
            {
                int r = geometry.RotatedDimensions;
                var cosPairs = new float[length * r];
                var sinPairs = new float[length * r];
                for (int t = 0; t < length; t++)
                    for (int i = 0; i < p; i++)
                    {
                        cosPairs[(t * r) + (2 * i)] = cosPairs[(t * r) + (2 * i) + 1] = cos[(t * p) + i];
                        sinPairs[(t * r) + (2 * i)] = -sin[(t * p) + i];
                        sinPairs[(t * r) + (2 * i) + 1] = sin[(t * p) + i];
                    }
                CosPairs = cosPairs;
                SinPairs = sinPairs;
            }
            Cos = cos;
            Sin = sin;
            Capacity = length;
        }
    }
}
