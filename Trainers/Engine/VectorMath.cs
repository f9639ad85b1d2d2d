using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLComponents.Engine;

/// <summary>
/// Float maths on whole registers for the fused layer loops (GELU, softmax), where calling a span routine per
/// short row costs more than the arithmetic. Lanes are independent, so results do not depend on where a value
/// sits in a buffer; tails are run through the same code on a padded copy.
/// </summary>
internal static class VectorMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>
    /// e^x for x in [-87.3, 88.3] (clamped outside), within 2 ulp: x = n ln2 + r with |r| &lt;= ln2/2, e^r by the
    /// degree-6 minimax polynomial of Cephes' expf, 2^n put into the exponent field.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // The native min/max (one instruction each); the IEEE-exact forms add NaN and signed-zero fix-ups.
        x = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-87.3f)), Vector256.Create(88.3f));
        Vector256<float> n = Vector256.Round(x * Vector256.Create(Log2E));
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        Vector256<float> p = Vector256.Create(1.9875691500E-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073E-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894E-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459E-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201E-1f));
        p = Vector256.FusedMultiplyAdd(p * r, r, r) + Vector256<float>.One;
        Vector256<int> pow2 = (Vector256.ConvertToInt32Native(n) + Vector256.Create(127)) << 23;
        return p * pow2.AsSingle();
    }

    /// <summary>The same e^x for one value, operation for operation (so a value's result does not depend on its lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = MathF.Min(MathF.Max(x, -87.3f), 88.3f);
        float n = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = 1.9875691500E-4f;
        p = MathF.FusedMultiplyAdd(p, r, 1.3981999507E-3f);
        p = MathF.FusedMultiplyAdd(p, r, 8.3334519073E-3f);
        p = MathF.FusedMultiplyAdd(p, r, 4.1665795894E-2f);
        p = MathF.FusedMultiplyAdd(p, r, 1.6666665459E-1f);
        p = MathF.FusedMultiplyAdd(p, r, 5.0000001201E-1f);
        p = MathF.FusedMultiplyAdd(p * r, r, r) + 1f;
        return p * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }
}
