using System.Numerics.Tensors;

namespace MLComponents.Numerics;

/// <summary>
/// The embedding form's maths, in one place for the scheme's inspection, the managed module and (through the scheme)
/// the TorchSharp backend: row t (0-based) of a sequence of real length N is
/// P = p_t + PE(x), x = 2(t+1)/N, PE(x)_k = sin(x base^(-k/D)) + cos(x base^(-(k-1)/D)) for k = 0..D-1, and p_t alone
/// for padded rows t &gt;= N. p_t is <see cref="SinusoidalMath"/>'s row (frequencies base^(-2m/D), the scheme's layout).
/// A real row is summed in double and rounded once; a padded row is exactly the sinusoidal scheme's float row.
/// </summary>
internal sealed class ScaledEmbeddingTables
{
    private readonly double[] _omega, _sinFrequency, _cosFrequency;
    private readonly bool _interleaved;

    public ScaledEmbeddingTables(int modelDimension, double @base, SinusoidalLayout layout)
    {
        if (modelDimension < 2 || modelDimension % 2 != 0)
            throw new ArgumentException($"The scaled embedding form needs an even model dimension (its p_i is sinusoidal), got {modelDimension}.", nameof(modelDimension));
        Width = modelDimension;
        _omega = SinusoidalMath.Frequencies(modelDimension, @base);
        _interleaved = layout == SinusoidalLayout.Interleaved;
        _sinFrequency = new double[modelDimension];
        _cosFrequency = new double[modelDimension];
        for (int k = 0; k < modelDimension; k++)
        {
            _sinFrequency[k] = Math.Pow(@base, -(double)k / modelDimension);
            // The seed's cosine exponent is (k-1)/d': at k = 0 it is -1/d', a frequency of base^(1/d') (slightly above 1).
            _cosFrequency[k] = Math.Pow(@base, -(double)(k - 1) / modelDimension);
        }
    }

    public int Width { get; }

    /// <summary>Row <paramref name="t"/> of a sequence of real length <paramref name="sequenceLength"/> (floored at 1).</summary>
    public void WriteRow(int t, int sequenceLength, Span<float> destination)
    {
        var row = destination[..Width];
        SinusoidalMath.Write(t, _omega, _interleaved, 1f, row);
        int n = Math.Max(1, sequenceLength);
        if (t >= n) return;
        double x = 2.0 * (t + 1) / n;
        int half = _omega.Length;
        for (int m = 0; m < half; m++)
        {
            double a = t * _omega[m];
            int s = _interleaved ? 2 * m : m, c = _interleaved ? (2 * m) + 1 : half + m;
            row[s] = (float)(Math.Sin(a) + Pe(x, s));
            row[c] = (float)(Math.Cos(a) + Pe(x, c));
        }
    }

    private double Pe(double x, int k) => Math.Sin(x * _sinFrequency[k]) + Math.Cos(x * _cosFrequency[k]);
}

/// <summary>
/// Embeddings hook of the scaled scheme's embedding form: x[b,t] = tok[b,t] + P[t | N_b], N_b sequence b's real length.
/// No parameters. The rows of each real length are made once, the first time a sequence of that length is seen, and
/// kept (one [N, D] table per length, so memory grows at most to MaxTokens^2 D / 2 floats); padded rows add the shared
/// sinusoidal table. The backward is the identity on the token embedding.
/// </summary>
internal sealed class ScaledEmbeddingModule : PositionModule, IAbsolutePositionSource
{
    private readonly ScaledRelativeEncoding _scheme;
    private readonly ScaledEmbeddingTables _tables;
    private readonly int _modelDimension;
    private float[]?[] _byLength = [];
    private float[] _padding = [];

    public ScaledEmbeddingModule(ScaledRelativeEncoding scheme, PositionModuleShape shape)
    {
        _scheme = scheme;
        _modelDimension = shape.ModelDimension;
        _tables = new ScaledEmbeddingTables(shape.ModelDimension, scheme.Base, scheme.Layout);
    }

    public int EncodingWidth => _modelDimension;

    public override bool HasEmbeddingHook => true;

    /// <summary>The vectors of a sequence of exactly <paramref name="length"/> real tokens (N = length).</summary>
    public float[] Encodings(int length) => _scheme.Embeddings(length, length, _modelDimension);

    private float[] RealRows(int n)
    {
        if (n >= _byLength.Length) Array.Resize(ref _byLength, Math.Max(n + 1, 2 * _byLength.Length));
        var rows = _byLength[n];
        if (rows is null)
        {
            rows = new float[n * _modelDimension];
            for (int t = 0; t < n; t++) _tables.WriteRow(t, n, rows.AsSpan(t * _modelDimension, _modelDimension));
            _byLength[n] = rows;
        }
        return rows;
    }

    private float[] PaddingRows(int length)
    {
        if (_padding.Length < length * _modelDimension)
        {
            // Past every real length a row is p_t alone; WriteRow with N = 1 gives that for t >= 1 (row 0 is never padding).
            var rows = new float[length * _modelDimension];
            for (int t = 1; t < length; t++) _tables.WriteRow(t, 1, rows.AsSpan(t * _modelDimension, _modelDimension));
            _padding = rows;
        }
        return _padding;
    }

    public override void ForwardEmbeddings(float[] tok, float[] x, PositionBatch batch, int modelDimension)
    {
        if (modelDimension != _modelDimension)
            throw new ArgumentException($"Scaled embedding module was built for model dimension {_modelDimension}, called with {modelDimension}.", nameof(modelDimension));
        int t = batch.Length, d = modelDimension;
        for (int b = 0; b < batch.Batch; b++)
        {
            int n = Math.Max(1, batch.Lengths[b]);
            int start = b * t * d, real = Math.Min(n, t) * d;
            TensorPrimitives.Add(new ReadOnlySpan<float>(tok, start, real), new ReadOnlySpan<float>(RealRows(n), 0, real), x.AsSpan(start, real));
            if (n < t)
            {
                int pad = (t - n) * d;
                TensorPrimitives.Add(new ReadOnlySpan<float>(tok, start + real, pad), new ReadOnlySpan<float>(PaddingRows(t), real, pad), x.AsSpan(start + real, pad));
            }
        }
    }
}
