using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>Seeded initialisers (GPT-style): weights ~ normal(0, std), biases 0, norm gains 1.</summary>
internal static class ParameterInit
{
    public static Parameter Normal(string name, int[] shape, Random rng, float std = 0.02f)
    {
        var p = new Parameter(name, shape);
        InitialValues.Normal(rng, p.Value, std);
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
