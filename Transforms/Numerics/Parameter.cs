namespace MLComponents.Numerics;

/// <summary>
/// A learned float32 tensor (row-major) with its gradient buffer. Engines and position-encoding
/// modules expose their weights as parameters so one optimiser, one archive format and one
/// gradient checker serve them all.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-initialised parameter.</summary>
    public Parameter(string name, int[] shape, bool applyWeightDecay = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        long n = 1;
        foreach (int d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d, nameof(shape));
            n *= d;
        }
        Name = name;
        Shape = [.. shape];
        Value = new float[checked((int)n)];
        Grad = new float[Value.Length];
        ApplyWeightDecay = applyWeightDecay;
    }

    /// <summary>Name, unique within a model (used as the safetensors key).</summary>
    public string Name { get; }

    /// <summary>Shape.</summary>
    public int[] Shape { get; }

    /// <summary>Values.</summary>
    public float[] Value { get; }

    /// <summary>Gradient, accumulated by Backward passes and cleared by the trainer.</summary>
    public float[] Grad { get; }

    /// <summary>False for biases, norms and position tables that AdamW should not decay.</summary>
    public bool ApplyWeightDecay { get; }

    /// <summary>Number of values.</summary>
    public int Length => Value.Length;

    /// <summary>Clears the gradient.</summary>
    public void ZeroGrad() => Array.Clear(Grad);
}
