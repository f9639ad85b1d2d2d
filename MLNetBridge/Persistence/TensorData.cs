namespace MLComponents;

/// <summary>A tensor held in a context: float32 or int32, row-major, with its shape.</summary>
internal sealed class TensorData
{
    private TensorData(float[]? f, int[]? i, int[] shape) { Floats = f; Ints = i; Shape = shape; }

    public float[]? Floats { get; }
    public int[]? Ints { get; }
    public int[] Shape { get; }
    public long ElementCount => Floats?.LongLength ?? Ints!.LongLength;

    public static TensorData FromFloats(ReadOnlySpan<float> data, int[] shape) => new(data.ToArray(), null, CheckShape(data.Length, shape));
    public static TensorData FromInts(ReadOnlySpan<int> data, int[] shape) => new(null, data.ToArray(), CheckShape(data.Length, shape));

    // The reader has already checked the shape against the byte count; it hands over freshly decoded arrays.
    public static TensorData WrapFloats(float[] data, int[] shape) => new(data, null, shape);
    public static TensorData WrapInts(int[] data, int[] shape) => new(null, data, shape);

    private static int[] CheckShape(int length, int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException("Tensor dimensions must be non-negative.", nameof(shape));
            n *= d;
        }
        if (n != length) throw new ArgumentException($"Tensor shape [{string.Join(",", shape)}] holds {n} values but {length} were given.", nameof(shape));
        return [.. shape];
    }
}
