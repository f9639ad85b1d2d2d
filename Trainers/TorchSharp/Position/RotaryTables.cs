namespace MLComponents.TorchSharp.Position;

/// <summary>
/// The cos/sin (and xPos scale) tables of RoPE and xPos for one head size, computed exactly as the managed module
/// computes them (angles and powers in double, rounded to float once) so both backends rotate by the same floats. The
/// parity tests check <see cref="Angles"/> against the scheme's public <see cref="RotaryEncoding.Angles"/>. A dynamic scaling's
/// tables are per real length (<see cref="ForLength"/>).
/// </summary>
internal sealed class RotaryTables
{
    private readonly double[] _inverseFrequency;
    private readonly double _positionDivisor;
    private readonly double _queryKeyScale;
    private readonly double? _gamma, _scaleBase;
    private readonly double _base, _rotaryFraction;
    private readonly RotaryPairing _pairing;
    private readonly RotaryScaling _scaling;

    public RotaryTables(double @base, RotaryPairing pairing, double rotaryFraction, RotaryScaling scaling, int headDimension, double? gamma = null, double? scaleBase = null)
        : this(@base, pairing, rotaryFraction, scaling, headDimension, gamma, scaleBase, sequenceLength: 0)
    {
    }

    // The tables of a sequence of sequenceLength real tokens: a dynamic scaling's factor is max(1, n / original length)
    // (0 gives the unscaled tables); a fixed scaling ignores the length.
    private RotaryTables(double @base, RotaryPairing pairing, double rotaryFraction, RotaryScaling scaling, int headDimension, double? gamma, double? scaleBase,
        int sequenceLength)
    {
        if (headDimension < 2)
        {
            throw new ArgumentException($"RoPE needs a head dimension of at least 2, got {headDimension}.", nameof(headDimension));
        }
        int r = (int)Math.Floor((rotaryFraction * headDimension) + 1e-9);
        r -= r % 2;
        if (r < 2)
        {
            throw new ArgumentException(
                $"Option 'rotaryFraction' = {rotaryFraction} rotates {r} of {headDimension} head dimensions; at least one pair (2) is needed.", nameof(rotaryFraction));
        }
        HeadDimension = headDimension;
        RotatedDimensions = r;
        Interleaved = pairing == RotaryPairing.Interleaved;
        double factor = scaling.FactorFor(sequenceLength);
        double effectiveBase = @base;
        if (scaling.Kind == RotaryScalingKind.NtkAware && r > 2)
        {
            effectiveBase *= Math.Pow(factor, r / (double)(r - 2));
        }
        _positionDivisor = scaling.Kind == RotaryScalingKind.Linear ? factor : 1;
        _inverseFrequency = new double[r / 2];
        for (int i = 0; i < _inverseFrequency.Length; i++)
        {
            _inverseFrequency[i] = Math.Pow(effectiveBase, -2.0 * i / r);
        }
        if (scaling.Kind == RotaryScalingKind.Yarn && factor != 1)
        {
            // YaRN: pair d keeps its frequency when it turns >= beta times over the original length, is divided by the
            // factor when it turns <= alpha times, and is blended linearly in between.
            for (int i = 0; i < _inverseFrequency.Length; i++)
            {
                double theta = _inverseFrequency[i];
                double turns = scaling.OriginalLength / (2 * Math.PI / theta);
                double ramp = Math.Clamp((turns - scaling.Alpha) / (scaling.Beta - scaling.Alpha), 0, 1);
                _inverseFrequency[i] = ((1 - ramp) * theta / factor) + (ramp * theta);
            }
        }
        _queryKeyScale = scaling.QueryKeyScale(sequenceLength);
        _gamma = gamma;
        _scaleBase = scaleBase;
        _base = @base;
        _rotaryFraction = rotaryFraction;
        _pairing = pairing;
        _scaling = scaling;
    }

    public static RotaryTables For(RotaryEncoding s, int headDimension) => new(s.Base, s.Pairing, s.RotaryFraction, s.Scaling, headDimension);

    public static RotaryTables For(XPosEncoding s, int headDimension) => new(s.Base, s.Pairing, s.RotaryFraction, s.Scaling, headDimension, s.Gamma, s.ScaleBase);

    public int HeadDimension { get; }

    public int RotatedDimensions { get; }

    public int Pairs => RotatedDimensions / 2;

    public bool Interleaved { get; }

    public bool IsXPos => _gamma is not null;

    /// <summary>True when a sequence of <paramref name="sequenceLength"/> real tokens uses these tables as they are (no dynamic factor above 1).</summary>
    public bool IsOwnFor(int sequenceLength) => !_scaling.IsDynamic || _scaling.FactorFor(sequenceLength) == 1;

    /// <summary>The tables of a sequence of <paramref name="sequenceLength"/> real tokens (these unless the scaling is dynamic and the sequence longer).</summary>
    public RotaryTables ForLength(int sequenceLength) => IsOwnFor(sequenceLength)
        ? this
        : new RotaryTables(_base, _pairing, _rotaryFraction, _scaling, HeadDimension, _gamma, _scaleBase, sequenceLength);

    private double Angle(int position, int pair) => position / _positionDivisor * _inverseFrequency[pair];

    /// <summary>Angles [length, P] as floats (for checking against the scheme's inspection API).</summary>
    public float[] Angles(int length)
    {
        var a = new float[length * Pairs];
        for (int t = 0; t < length; t++)
        {
            for (int i = 0; i < Pairs; i++)
            {
                a[(t * Pairs) + i] = (float)Angle(t, i);
            }
        }
        return a;
    }

    /// <summary>cos and sin [length, P] (float of the double, times YaRN's q/k scale as the managed module folds it in).</summary>
    public (float[] Cos, float[] Sin) CosSin(int length)
    {
        var cos = new float[length * Pairs];
        var sin = new float[length * Pairs];
        for (int t = 0; t < length; t++)
        {
            for (int i = 0; i < Pairs; i++)
            {
                double a = Angle(t, i);
                cos[(t * Pairs) + i] = (float)(Math.Cos(a) * _queryKeyScale);
                sin[(t * Pairs) + i] = (float)(Math.Sin(a) * _queryKeyScale);
            }
        }
        return (cos, sin);
    }

    private (float[] Cos, float[] Sin, int Rows) _explicit = ([], [], 0);

    /// <summary>
    /// cos and sin [positions.Length, P] of explicit positions (randomized positions in training): row k is
    /// <see cref="CosSin"/>'s row positions[k]. The table of positions 0..max is kept and grown as needed.
    /// </summary>
    public (float[] Cos, float[] Sin) CosSinAt(ReadOnlySpan<int> positions)
    {
        int rows = 0;
        foreach (int at in positions)
        {
            rows = Math.Max(rows, at + 1);
        }
        if (rows > _explicit.Rows)
        {
            var (c, s) = CosSin(rows);
            _explicit = (c, s, rows);
        }
        int p = Pairs;
        var cos = new float[positions.Length * p];
        var sin = new float[positions.Length * p];
        for (int k = 0; k < positions.Length; k++)
        {
            Array.Copy(_explicit.Cos, positions[k] * p, cos, k * p, p);
            Array.Copy(_explicit.Sin, positions[k] * p, sin, k * p, p);
        }
        return (cos, sin);
    }

    /// <summary>
    /// xPos: cos and sin [length, P] already multiplied (in float, as the managed module does) by the query scale
    /// zeta_i^(n/scaleBase) (<paramref name="query"/>) or the key scale zeta_i^(-n/scaleBase), n = t - floor(N/2).
    /// </summary>
    public (float[] Cos, float[] Sin) ScaledCosSin(int length, int sequenceLength, bool query)
    {
        var (cos, sin) = CosSin(length);
        int centre = sequenceLength / 2, p = Pairs;
        for (int t = 0; t < length; t++)
        {
            int n = query ? t - centre : centre - t;
            for (int i = 0; i < p; i++)
            {
                double zeta = ((i / (double)p) + _gamma!.Value) / (1 + _gamma.Value);
                float scale = (float)Math.Pow(zeta, n / _scaleBase!.Value);
                cos[(t * p) + i] *= scale;
                sin[(t * p) + i] *= scale;
            }
        }
        return (cos, sin);
    }

    /// <summary>xPos query scales [length, P] for a real length (for checking against <see cref="XPosEncoding.QueryScales"/>).</summary>
    public float[] QueryScales(int length, int sequenceLength)
    {
        var s = new float[length * Pairs];
        for (int t = 0; t < length; t++)
        {
            for (int i = 0; i < Pairs; i++)
            {
                double zeta = ((i / (double)Pairs) + _gamma!.Value) / (1 + _gamma.Value);
                s[(t * Pairs) + i] = (float)Math.Pow(zeta, (t - (sequenceLength / 2)) / _scaleBase!.Value);
            }
        }
        return s;
    }
}
