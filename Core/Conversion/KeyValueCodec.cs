using System.Globalization;
using System.Text;

namespace MLComponents;

/// <summary>
/// The value types key mapping supports, and their round-trippable text form in model archives
/// (text is escaped so a value may hold line breaks: \\ \n \r).
/// </summary>
internal static class KeyValueCodec
{
    public static bool IsSupported(DataViewType t) =>
        t is TextDataViewType or BooleanDataViewType || (t is NumberDataViewType);

    public static string KindName(PrimitiveDataViewType t) => t switch
    {
        TextDataViewType => "String",
        BooleanDataViewType => "Boolean",
        _ => t.RawType.Name,
    };

    public static PrimitiveDataViewType FromKindName(string name, string entry) => name switch
    {
        "String" => TextDataViewType.Instance,
        "Boolean" => BooleanDataViewType.Instance,
        "Single" => NumberDataViewType.Single,
        "Double" => NumberDataViewType.Double,
        "Int32" => NumberDataViewType.Int32,
        "UInt32" => NumberDataViewType.UInt32,
        "Int64" => NumberDataViewType.Int64,
        _ => throw new ModelFormatException(entry, $"unknown value kind '{name}'"),
    };

    public static string ToText<T>(T value) => value switch
    {
        ReadOnlyMemory<char> m => m.ToString(),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    public static string Encode<T>(T value)
    {
        var s = ToText(value);
        if (typeof(T) != typeof(ReadOnlyMemory<char>)) return s;
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
            sb.Append(c switch { '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", _ => c.ToString() });
        return sb.ToString();
    }

    public static T Decode<T>(string s, string entry)
    {
        object v;
        if (typeof(T) == typeof(ReadOnlyMemory<char>))
        {
            var sb = new StringBuilder(s.Length);
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] != '\\') { sb.Append(s[i]); continue; }
                if (++i >= s.Length) throw new ModelFormatException(entry, $"bad escape at the end of key value '{s}'");
                sb.Append(s[i] switch { '\\' => '\\', 'n' => '\n', 'r' => '\r', _ => throw new ModelFormatException(entry, $"bad escape '\\{s[i]}' in key value '{s}'") });
            }
            v = sb.ToString().AsMemory();
        }
        else
        {
            var inv = CultureInfo.InvariantCulture;
            bool ok;
            (ok, v) = typeof(T) switch
            {
                var t when t == typeof(float) => (float.TryParse(s, NumberStyles.Float, inv, out var f), f),
                var t when t == typeof(double) => (double.TryParse(s, NumberStyles.Float, inv, out var d), d),
                var t when t == typeof(int) => (int.TryParse(s, NumberStyles.Integer, inv, out var i), i),
                var t when t == typeof(uint) => (uint.TryParse(s, NumberStyles.Integer, inv, out var u), u),
                var t when t == typeof(long) => (long.TryParse(s, NumberStyles.Integer, inv, out var l), l),
                var t when t == typeof(bool) => (bool.TryParse(s, out var b), (object)b),
                _ => (false, (object)0),
            };
            if (!ok) throw new ModelFormatException(entry, $"key value '{s}' is not a {typeof(T).Name}");
        }
        return (T)v;
    }

    /// <summary>Equality for dictionary keys: text by content, NaN never stored.</summary>
    public static IEqualityComparer<T> Comparer<T>() =>
        typeof(T) == typeof(ReadOnlyMemory<char>) ? (IEqualityComparer<T>)(object)TextComparer.Instance : EqualityComparer<T>.Default;

    /// <summary>Ordering for KeyOrdinality.ByValue: text ordinal, numbers and booleans natural.</summary>
    public static IComparer<T> Order<T>() =>
        typeof(T) == typeof(ReadOnlyMemory<char>) ? (IComparer<T>)(object)TextComparer.Instance : System.Collections.Generic.Comparer<T>.Default;

    /// <summary>True for a value that means missing (NaN): it maps to key 0 and is never learned.</summary>
    public static bool IsMissing<T>(in T value) =>
        (typeof(T) == typeof(float) && float.IsNaN((float)(object)value!)) ||
        (typeof(T) == typeof(double) && double.IsNaN((double)(object)value!));

    private sealed class TextComparer : IEqualityComparer<ReadOnlyMemory<char>>, IComparer<ReadOnlyMemory<char>>
    {
        public static readonly TextComparer Instance = new();
        public bool Equals(ReadOnlyMemory<char> x, ReadOnlyMemory<char> y) => x.Span.SequenceEqual(y.Span);
        public int GetHashCode(ReadOnlyMemory<char> obj) => string.GetHashCode(obj.Span, StringComparison.Ordinal);
        public int Compare(ReadOnlyMemory<char> x, ReadOnlyMemory<char> y) => x.Span.SequenceCompareTo(y.Span);
    }
}
