using System.Text.Json;

namespace MLComponents;

/// <summary>Strict accessors for manifest JSON: each failure is a <see cref="ModelFormatException"/> naming the entry and the field.</summary>
internal static class Json
{
    public static JsonElement Required(JsonElement obj, string field, string entry, string where) =>
        obj.TryGetProperty(field, out var v) ? v : throw new ModelFormatException(entry, $"{where}: '{field}' is missing");

    public static string RequiredString(JsonElement obj, string field, string entry, string where)
    {
        var v = Required(obj, field, entry, where);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new ModelFormatException(entry, $"{where}: '{field}' is not a string");
    }

    public static int RequiredInt32(JsonElement obj, string field, string entry, string where)
    {
        var v = Required(obj, field, entry, where);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
            : throw new ModelFormatException(entry, $"{where}: '{field}' is not a 32-bit integer");
    }

    public static ulong RequiredUInt64(JsonElement obj, string field, string entry, string where)
    {
        var v = Required(obj, field, entry, where);
        return v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out ulong u) ? u
            : throw new ModelFormatException(entry, $"{where}: '{field}' is not a non-negative integer");
    }

    public static int[] IntArray(JsonElement e, string entry, string where)
    {
        if (e.ValueKind != JsonValueKind.Array) throw new ModelFormatException(entry, $"{where} is not an array");
        return [.. e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int i) ? i
            : throw new ModelFormatException(entry, $"{where} holds '{x.GetRawText()}', not a 32-bit integer"))];
    }

    /// <summary>
    /// JsonDocument keeps duplicate keys and TryGetProperty silently picks one; a manifest that says two
    /// things about one field is refused instead.
    /// </summary>
    public static void CheckNoDuplicateKeys(JsonElement e, string entry, string path = "$")
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    if (!seen.Add(p.Name)) throw new ModelFormatException(entry, $"JSON object at {path} has the key '{p.Name}' twice");
                    CheckNoDuplicateKeys(p.Value, entry, $"{path}.{p.Name}");
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) CheckNoDuplicateKeys(item, entry, $"{path}[{i++}]");
                break;
        }
    }
}
