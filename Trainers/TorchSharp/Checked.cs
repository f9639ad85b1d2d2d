using TorchSharp;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>
/// Native calls whose shape errors TorchSharp 0.107 does not turn into exceptions (a mismatched <c>matmul</c> aborts the
/// process), with the shapes checked first so a bug surfaces as an <see cref="ArgumentException"/> naming both shapes.
/// </summary>
internal static class Checked
{
    /// <summary>a @ b with torch's broadcasting rules for the leading dimensions.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, string what)
    {
        var sa = a.shape;
        var sb = b.shape;
        if (sa.Length < 2 || sb.Length < 2 || sa[^1] != sb[^2] || !Broadcastable(sa.AsSpan(0, sa.Length - 2), sb.AsSpan(0, sb.Length - 2)))
        {
            throw new ArgumentException($"{what}: cannot multiply [{string.Join(", ", sa)}] by [{string.Join(", ", sb)}].");
        }
        if (a.device_type != b.device_type || a.device_index != b.device_index)
        {
            throw new ArgumentException($"{what}: operands on {a.device} and {b.device}.");
        }
        return a.matmul(b);
    }

    /// <summary>Throws unless <paramref name="t"/> has exactly <paramref name="expected"/> (-1 matches any size).</summary>
    public static void Shape(Tensor t, string what, params long[] expected)
    {
        var s = t.shape;
        bool ok = s.Length == expected.Length;
        for (int i = 0; ok && i < s.Length; i++)
        {
            ok = expected[i] < 0 || expected[i] == s[i];
        }
        if (!ok)
        {
            throw new ArgumentException($"{what}: expected shape [{string.Join(", ", expected.Select(e => e < 0 ? "*" : e.ToString(System.Globalization.CultureInfo.InvariantCulture)))}], got [{string.Join(", ", s)}].");
        }
    }

    private static bool Broadcastable(ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        for (int i = 1; i <= Math.Min(a.Length, b.Length); i++)
        {
            long x = a[^i], y = b[^i];
            if (x != y && x != 1 && y != 1)
            {
                return false;
            }
        }
        return true;
    }
}
