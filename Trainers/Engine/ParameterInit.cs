using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>Seeded initialisers (GPT-style): weights ~ normal(0, std), biases 0, norm gains 1.</summary>
internal static class ParameterInit
{
    public static Parameter Normal(string name, int[] shape, Random rng, float std = 0.02f)
    {
        var p = new Parameter(name, shape);
        var v = p.Value;
        for (int i = 0; i < v.Length; i += 2)
        {
            // Box-Muller: two independent normals per pair of uniforms.
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            v[i] = (float)(std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < v.Length)
            {
                v[i + 1] = (float)(std * r * Math.Sin(2 * Math.PI * u2));
            }
        }
        return p;
    }

    public static Parameter Zeros(string name, int[] shape) => new(name, shape, applyWeightDecay: false);

    public static Parameter Ones(string name, int[] shape)
    {
        var p = new Parameter(name, shape, applyWeightDecay: false);
        Array.Fill(p.Value, 1f);
        return p;
    }
}
