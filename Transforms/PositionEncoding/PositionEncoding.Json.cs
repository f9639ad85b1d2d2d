using System.Globalization;
using System.Text.Json.Nodes;

namespace MLComponents;

public abstract partial class PositionEncoding
{
    /// <summary>The <see cref="Kind"/> names, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
    [
        NoPositionEncoding.KindName, SinusoidalEncoding.KindName, LearnedAbsoluteEncoding.KindName, ScaledRelativeEncoding.KindName,
        ShawRelativeEncoding.KindName, T5BiasEncoding.KindName, RotaryEncoding.KindName, XPosEncoding.KindName,
        AlibiEncoding.KindName, FireEncoding.KindName,
    ];

    /// <summary>
    /// The scheme of a <see cref="Kind"/> name with its factory defaults (for command lines and config files);
    /// an unknown name throws an <see cref="ArgumentException"/> listing the known ones.
    /// </summary>
    public static PositionEncoding FromKind(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (!Kinds.Contains(kind))
            throw new ArgumentException($"Unknown position-encoding kind '{kind}'; expected one of {string.Join("|", Kinds)}.", nameof(kind));
        return FromJson(new JsonObject { ["kind"] = kind });
    }

    /// <summary>Name of the scaled scheme's embedding form in <see cref="Names"/> (its <see cref="Kind"/> stays "scaled").</summary>
    public const string ScaledEmbeddingName = "scaled-embedding";

    /// <summary>
    /// The names a command line or a study picks a scheme by: every <see cref="Kinds"/> name, plus named forms of a kind
    /// that change what the scheme does ("scaled-embedding": the scaled scheme's embedding form), in documentation order.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        NoPositionEncoding.KindName, SinusoidalEncoding.KindName, LearnedAbsoluteEncoding.KindName, ScaledRelativeEncoding.KindName,
        ScaledEmbeddingName, ShawRelativeEncoding.KindName, T5BiasEncoding.KindName, RotaryEncoding.KindName, XPosEncoding.KindName,
        AlibiEncoding.KindName, FireEncoding.KindName,
    ];

    /// <summary>
    /// The scheme of one of the <see cref="Names"/> with factory defaults: <see cref="FromKind"/> for a kind name,
    /// <c>ScaledRelative(form: ScaledForm.Embedding)</c> for "scaled-embedding". An unknown name throws an
    /// <see cref="ArgumentException"/> listing the known ones.
    /// </summary>
    public static PositionEncoding FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == ScaledEmbeddingName) return ScaledRelative(form: ScaledForm.Embedding);
        if (!Kinds.Contains(name))
            throw new ArgumentException($"Unknown position-encoding name '{name}'; expected one of {string.Join("|", Names)}.", nameof(name));
        return FromKind(name);
    }

    /// <summary>
    /// Rebuilds a scheme from <see cref="ToJson"/> output (the model archive's options). Options absent from
    /// the JSON take their factory defaults; unknown kinds and malformed values throw an
    /// <see cref="ArgumentException"/> naming the option.
    /// </summary>
    public static PositionEncoding FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string kind = JsonOptions.String(json, "kind", "");
        return kind switch
        {
            NoPositionEncoding.KindName => NoPositionEncoding.FromJsonOptions(json),
            SinusoidalEncoding.KindName => SinusoidalEncoding.FromJsonOptions(json),
            LearnedAbsoluteEncoding.KindName => LearnedAbsoluteEncoding.FromJsonOptions(json),
            ScaledRelativeEncoding.KindName => ScaledRelativeEncoding.FromJsonOptions(json),
            ShawRelativeEncoding.KindName => ShawRelativeEncoding.FromJsonOptions(json),
            T5BiasEncoding.KindName => T5BiasEncoding.FromJsonOptions(json),
            RotaryEncoding.KindName => RotaryEncoding.FromJsonOptions(json),
            XPosEncoding.KindName => XPosEncoding.FromJsonOptions(json),
            AlibiEncoding.KindName => AlibiEncoding.FromJsonOptions(json),
            FireEncoding.KindName => FireEncoding.FromJsonOptions(json),
            _ => throw new ArgumentException($"Unknown position-encoding kind '{kind}'.", nameof(json)),
        };
    }
}

/// <summary>Typed reads of scheme options from JSON, with errors that name the option.</summary>
internal static class JsonOptions
{
    public static string String(JsonObject json, string name, string fallback)
    {
        if (!json.TryGetPropertyValue(name, out var node) || node is null) return fallback;
        try { return node.GetValue<string>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"Position-encoding option '{name}' must be a string, got {node.ToJsonString()}.", name, e);
        }
    }

    public static double Double(JsonObject json, string name, double fallback)
    {
        if (!json.TryGetPropertyValue(name, out var node) || node is null) return fallback;
        // Number nodes may hold an int, a double or a parsed JsonElement; their JSON text reads back the same way.
        if (node.GetValueKind() == System.Text.Json.JsonValueKind.Number)
            return double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
        throw new ArgumentException($"Position-encoding option '{name}' must be a number, got {node.ToJsonString()}.", name);
    }

    public static int Int(JsonObject json, string name, int fallback)
    {
        double d = Double(json, name, fallback);
        if (d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue)
            throw new ArgumentException($"Position-encoding option '{name}' must be an integer, got {d.ToString(CultureInfo.InvariantCulture)}.", name);
        return (int)d;
    }

    public static bool Bool(JsonObject json, string name, bool fallback)
    {
        if (!json.TryGetPropertyValue(name, out var node) || node is null) return fallback;
        if (node.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False) return node.GetValue<bool>();
        throw new ArgumentException($"Position-encoding option '{name}' must be true or false, got {node.ToJsonString()}.", name);
    }

    public static TEnum Enum<TEnum>(JsonObject json, string name, TEnum fallback) where TEnum : struct, System.Enum
    {
        string s = String(json, name, "");
        if (s.Length == 0) return fallback;
        if (System.Enum.TryParse(s, ignoreCase: true, out TEnum value) && System.Enum.IsDefined(value)) return value;
        throw new ArgumentException(
            $"Position-encoding option '{name}' has unknown value '{s}'; expected one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.", name);
    }

    public static string Name<TEnum>(TEnum value) where TEnum : struct, System.Enum =>
        value.ToString().ToLowerInvariant();
}

/// <summary>Shared option checks so every factory words its errors the same way.</summary>
internal static class OptionCheck
{
    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentException($"Option '{name}' must be a positive finite number, got {value.ToString(CultureInfo.InvariantCulture)}.", name);
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"Option '{name}' must be positive, got {value}.", name);
    }

    public static void AtLeast(double value, double min, string name)
    {
        if (!(value >= min) || double.IsInfinity(value))
            throw new ArgumentException($"Option '{name}' must be a finite number >= {min.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}.", name);
    }

    public static void Defined<TEnum>(TEnum value, string name) where TEnum : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value)) throw new ArgumentException($"Option '{name}' has undefined value {value}.", name);
    }
}
