namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// The scheme names the suite accepts: every <see cref="PositionEncoding.Names"/> name, plus RoPE with a dynamic length
/// scaling whose original length is the tasks' training length (<see cref="LengthBucket.TrainMax"/> = 32 tokens), so every
/// training sequence keeps factor 1 (training is plain RoPE's, bit for bit) and only the longer test files are stretched:
/// "rope-dynamic-pi" (position interpolation), "rope-dynamic-ntk" (NTK-aware) and "rope-dynamic-yarn" (YaRN, alpha 1, beta 32).
/// </summary>
public static class SuiteSchemes
{
    /// <summary>RoPE with <c>RotaryScaling.Dynamic(Linear, 32)</c>.</summary>
    public const string RopeDynamicPi = "rope-dynamic-pi";

    /// <summary>RoPE with <c>RotaryScaling.Dynamic(NtkAware, 32)</c>.</summary>
    public const string RopeDynamicNtk = "rope-dynamic-ntk";

    /// <summary>RoPE with <c>RotaryScaling.Dynamic(Yarn, 32)</c>.</summary>
    public const string RopeDynamicYarn = "rope-dynamic-yarn";

    /// <summary>The names, in table order: the library's, each RoPE variant after "rope"'s family.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. PositionEncoding.Names, RopeDynamicPi, RopeDynamicNtk, RopeDynamicYarn];

    /// <summary>
    /// The scheme of a suite name; "learned" gets a table of <paramref name="learnedPositions"/> positions (at least 512), the
    /// longest test input. Unknown names throw an <see cref="ArgumentException"/> listing the known ones.
    /// </summary>
    public static PositionEncoding Create(string name, int learnedPositions = 0) => name switch
    {
        "learned" => PositionEncoding.Learned(maxPositions: Math.Max(512, learnedPositions)),
        RopeDynamicPi => PositionEncoding.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Linear, LengthBucket.TrainMax)),
        RopeDynamicNtk => PositionEncoding.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.NtkAware, LengthBucket.TrainMax)),
        RopeDynamicYarn => PositionEncoding.Rotary(scaling: RotaryScaling.Dynamic(RotaryScalingKind.Yarn, LengthBucket.TrainMax)),
        _ when PositionEncoding.Names.Contains(name) => PositionEncoding.FromName(name),
        _ => throw new ArgumentException($"unknown scheme '{name}' (expected {string.Join(",", Names)})", nameof(name)),
    };
}
