namespace MLComponents.TorchSharp.Position;

/// <summary>
/// The cos/sin (and xPos scale) tables of RoPE and xPos for one head size, computed exactly as the managed module
/// computes them (angles and powers in double, rounded to float once) so both backends rotate by the same floats. The
/// parity tests check <see cref="Angles"/> against the scheme's public <see cref="RotaryEncoding.Angles"/>.
/// </summary>
internal sealed class RotaryTables
{
    private readonly double[] _inverseFrequency;
    private readonly double _positionDivisor;
    private readonly double? _gamma, _scaleBase;

    public RotaryTables(double @base, RotaryPairing pairing, double rotaryFraction, RotaryScaling scaling, int headDimension, double? gamma = null, double? scaleBase = null)
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
        double effectiveBase = @base;
        if (scaling.Kind == RotaryScalingKind.NtkAware && r > 2)
        {
            effectiveBase *= Math.Pow(scaling.Factor, r / (double)(r - 2));
        }
        _positionDivisor = scaling.Kind == RotaryScalingKind.Linear ? scaling.Factor : 1;
        _inverseFrequency = new double[r / 2];
        for (int i = 0; i < _inverseFrequency.Length; i++)
        {
            _inverseFrequency[i] = Math.Pow(effectiveBase, -2.0 * i / r);
        }
        _gamma = gamma;
        _scaleBase = scaleBase;
    }

    public static RotaryTables For(RotaryEncoding s, int headDimension) => new(s.Base, s.Pairing, s.RotaryFraction, s.Scaling, headDimension);

    public static RotaryTables For(XPosEncoding s, int headDimension) => new(s.Base, s.Pairing, s.RotaryFraction, s.Scaling, headDimension, s.Gamma, s.ScaleBase);

    public int HeadDimension { get; }

    public int RotatedDimensions { get; }

    public int Pairs => RotatedDimensions / 2;

    public bool Interleaved { get; }

    public bool IsXPos => _gamma is not null;

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

    /// <summary>cos and sin [length, P] (float of the double).</summary>
    public (float[] Cos, float[] Sin) CosSin(int length)
    {
        var cos = new float[length * Pairs];
        var sin = new float[length * Pairs];
        for (int t = 0; t < length; t++)
        {
            for (int i = 0; i < Pairs; i++)
            {
                double a = Angle(t, i);
                cos[(t * Pairs) + i] = (float)Math.Cos(a);
                sin[(t * Pairs) + i] = (float)Math.Sin(a);
            }
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
