namespace MLComponents.Numerics;

/// <summary>
/// The sinusoidal table, written once for the absolute scheme and the scaled relative scheme: for frequency
/// m &lt; w/2, omega_m = base^(-2m/w); Interleaved puts sin(p omega_m) at 2m and cos at 2m+1, Split puts sin at m and
/// cos at w/2 + m. Positions p may be fractional (the scaled scheme's distances).
/// </summary>
internal static class SinusoidalMath
{
    public static double[] Frequencies(int width, double @base)
    {
        var omega = new double[width / 2];
        for (int m = 0; m < omega.Length; m++) omega[m] = Math.Pow(@base, -2.0 * m / width);
        return omega;
    }

    public static void Write(double position, double[] omega, bool interleaved, float scale, Span<float> destination)
    {
        int half = omega.Length;
        for (int m = 0; m < half; m++)
        {
            double a = position * omega[m];
            float s = (float)(scale * Math.Sin(a)), c = (float)(scale * Math.Cos(a));
            if (interleaved)
            {
                destination[2 * m] = s;
                destination[(2 * m) + 1] = c;
            }
            else
            {
                destination[m] = s;
                destination[half + m] = c;
            }
        }
    }
}
