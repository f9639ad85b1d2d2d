using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLComponents;

/// <summary>
/// The input schema as manifest JSON: per column its name, type (kind, key count, vector item type, size and
/// dimensions) and annotations (scalars or vectors of text, bool and numbers; e.g. KeyValues).
/// </summary>
internal static class SchemaJson
{
    public static JsonArray Write(DataViewSchema schema)
    {
        var columns = new JsonArray();
        foreach (var col in schema)
        {
            var c = new JsonObject { ["name"] = col.Name, ["type"] = WriteType(col.Type, col.Name) };
            var annotations = new JsonObject();
            foreach (string kind in col.Annotations.Names.Order(StringComparer.Ordinal))
            {
                var type = col.Annotations.GetTypeOrNull(kind)!;
                string where = $"column '{col.Name}' annotation '{kind}'";
                annotations[kind] = new JsonObject
                {
                    ["type"] = WriteType(type, where),
                    ["value"] = WriteValue(type, col.Annotations.GetRawOrNull(kind)!, where),
                };
            }
            if (annotations.Count > 0) c["annotations"] = annotations;
            columns.Add(c);
        }
        return columns;
    }

    public static DataViewSchema Read(JsonElement columns, string entry)
    {
        if (columns.ValueKind != JsonValueKind.Array) throw new ModelFormatException(entry, "inputSchema is not an array of columns");
        var builder = new DataViewSchema.Builder();
        int index = 0;
        foreach (var c in columns.EnumerateArray())
        {
            string at = $"inputSchema column {index++}";
            if (c.ValueKind != JsonValueKind.Object) throw new ModelFormatException(entry, $"{at} is not an object");
            string name = Json.RequiredString(c, "name", entry, at);
            if (name.Length == 0) throw new ModelFormatException(entry, $"{at} has an empty name");
            at = $"inputSchema column '{name}'";
            var type = ReadType(Json.Required(c, "type", entry, at), entry, at);
            var annotations = new DataViewSchema.Annotations.Builder();
            if (c.TryGetProperty("annotations", out var anns))
            {
                if (anns.ValueKind != JsonValueKind.Object) throw new ModelFormatException(entry, $"{at}: annotations is not an object");
                foreach (var a in anns.EnumerateObject())
                {
                    string where = $"{at} annotation '{a.Name}'";
                    if (a.Value.ValueKind != JsonValueKind.Object) throw new ModelFormatException(entry, $"{where} is not an object");
                    var annType = ReadType(Json.Required(a.Value, "type", entry, where), entry, where);
                    object value = ReadValue(annType, Json.Required(a.Value, "value", entry, where), entry, where);
                    annotations.Add(a.Name, annType, value);
                }
            }
            builder.AddColumn(name, type, annotations.ToAnnotations());
        }
        return builder.ToSchema();
    }

    private static JsonObject WriteType(DataViewType type, string where) => type switch
    {
        TextDataViewType => new JsonObject { ["kind"] = "text" },
        BooleanDataViewType => new JsonObject { ["kind"] = "bool" },
        NumberDataViewType n => new JsonObject { ["kind"] = NumberKind(n.RawType) },
        KeyDataViewType k => new JsonObject { ["kind"] = "key", ["count"] = k.Count },
        VectorDataViewType v => WriteVectorType(v, where),
        _ => throw new ArgumentException($"Cannot save the input schema: {where} has type {type}, which the model archive does not support."),
    };

    private static JsonObject WriteVectorType(VectorDataViewType v, string where)
    {
        var o = new JsonObject { ["kind"] = "vector", ["item"] = WriteType(v.ItemType, where), ["size"] = v.Size };
        if (v.Dimensions.Count > 1) o["dimensions"] = new JsonArray([.. v.Dimensions.Select(d => (JsonNode)d)]);
        return o;
    }

    private static string NumberKind(Type t) =>
        t == typeof(float) ? "float32" : t == typeof(double) ? "float64" : t == typeof(int) ? "int32"
        : t == typeof(uint) ? "uint32" : t == typeof(long) ? "int64" : throw new ArgumentException($"Unsupported number type {t.Name}.");

    private static DataViewType ReadType(JsonElement e, string entry, string where)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new ModelFormatException(entry, $"{where}: type is not an object");
        string kind = Json.RequiredString(e, "kind", entry, where);
        try
        {
            return kind switch
            {
                "text" => TextDataViewType.Instance,
                "bool" => BooleanDataViewType.Instance,
                "float32" => NumberDataViewType.Single,
                "float64" => NumberDataViewType.Double,
                "int32" => NumberDataViewType.Int32,
                "uint32" => NumberDataViewType.UInt32,
                "int64" => NumberDataViewType.Int64,
                "key" => new KeyDataViewType(Json.RequiredUInt64(e, "count", entry, where)),
                "vector" => ReadVectorType(e, entry, where),
                _ => throw new ModelFormatException(entry, $"{where}: unknown type kind '{kind}'"),
            };
        }
        catch (ArgumentException ex)
        {
            throw new ModelFormatException(entry, $"{where}: invalid {kind} type ({ex.Message})", ex);
        }
        catch (OverflowException ex)
        {
            throw new ModelFormatException(entry, $"{where}: invalid {kind} type ({ex.Message})", ex);
        }
    }

    private static VectorDataViewType ReadVectorType(JsonElement e, string entry, string where)
    {
        var item = ReadType(Json.Required(e, "item", entry, where), entry, where);
        if (item is not PrimitiveDataViewType primitive) throw new ModelFormatException(entry, $"{where}: a vector's item type must be a scalar type");
        int size = Json.RequiredInt32(e, "size", entry, where);
        if (!e.TryGetProperty("dimensions", out var dims)) return new VectorDataViewType(primitive, size);
        var d = Json.IntArray(dims, entry, $"{where} dimensions");
        var v = new VectorDataViewType(primitive, d);
        if (v.Size != size) throw new ModelFormatException(entry, $"{where}: dimensions [{string.Join(",", d)}] do not multiply to size {size}");
        return v;
    }

    private static JsonNode? WriteValue(DataViewType type, object value, string where)
    {
        if (type is VectorDataViewType v)
        {
            var items = new JsonArray();
            foreach (object item in VectorItems(v, value, where)) items.Add(WriteScalar(v.ItemType, item, where));
            return items;
        }
        return WriteScalar(type, value, where);
    }

    private static System.Collections.IEnumerable VectorItems(VectorDataViewType v, object value, string where) => value switch
    {
        VBuffer<ReadOnlyMemory<char>> b => b.DenseValues().Cast<object>(),
        VBuffer<bool> b => b.DenseValues().Cast<object>(),
        VBuffer<float> b => b.DenseValues().Cast<object>(),
        VBuffer<double> b => b.DenseValues().Cast<object>(),
        VBuffer<int> b => b.DenseValues().Cast<object>(),
        VBuffer<uint> b => b.DenseValues().Cast<object>(),
        VBuffer<long> b => b.DenseValues().Cast<object>(),
        _ => throw new ArgumentException($"Cannot save the input schema: {where} holds a {value.GetType().Name}, not a VBuffer of {v.ItemType}."),
    };

    private static JsonNode? WriteScalar(DataViewType type, object value, string where) => (type, value) switch
    {
        (TextDataViewType, ReadOnlyMemory<char> m) => JsonValue.Create(m.ToString()),
        (TextDataViewType, string s) => JsonValue.Create(s),
        (BooleanDataViewType, bool b) => JsonValue.Create(b),
        (NumberDataViewType, float f) => float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(f.ToString(CultureInfo.InvariantCulture)),
        (NumberDataViewType, double d) => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        (NumberDataViewType, int i) => JsonValue.Create(i),
        (NumberDataViewType, uint u) => JsonValue.Create(u),
        (NumberDataViewType, long l) => JsonValue.Create(l),
        (KeyDataViewType, uint u) => JsonValue.Create(u),
        _ => throw new ArgumentException($"Cannot save the input schema: {where} holds a {value.GetType().Name}, which does not match its type {type}."),
    };

    private static object ReadValue(DataViewType type, JsonElement e, string entry, string where)
    {
        if (type is not VectorDataViewType v) return ReadScalar(type, e, entry, where);
        if (e.ValueKind != JsonValueKind.Array) throw new ModelFormatException(entry, $"{where}: a vector value must be an array");
        int n = e.GetArrayLength();
        if (v.Size > 0 && n != v.Size) throw new ModelFormatException(entry, $"{where}: {n} values for a vector of size {v.Size}");
        var items = e.EnumerateArray().Select(x => ReadScalar(v.ItemType, x, entry, where)).ToArray();
        return v.ItemType.RawType switch
        {
            var t when t == typeof(ReadOnlyMemory<char>) => new VBuffer<ReadOnlyMemory<char>>([.. items.Cast<ReadOnlyMemory<char>>()]),
            var t when t == typeof(bool) => new VBuffer<bool>([.. items.Cast<bool>()]),
            var t when t == typeof(float) => new VBuffer<float>([.. items.Cast<float>()]),
            var t when t == typeof(double) => new VBuffer<double>([.. items.Cast<double>()]),
            var t when t == typeof(int) => new VBuffer<int>([.. items.Cast<int>()]),
            var t when t == typeof(uint) => new VBuffer<uint>([.. items.Cast<uint>()]),
            var t when t == typeof(long) => (object)new VBuffer<long>([.. items.Cast<long>()]),
            _ => throw new ModelFormatException(entry, $"{where}: unsupported vector item type {v.ItemType}"),
        };
    }

    private static object ReadScalar(DataViewType type, JsonElement e, string entry, string where)
    {
        object? value = type switch
        {
            TextDataViewType when e.ValueKind == JsonValueKind.String => e.GetString()!.AsMemory(),
            BooleanDataViewType when e.ValueKind is JsonValueKind.True or JsonValueKind.False => e.GetBoolean(),
            // Parse float32 directly: going through double could round twice.
            NumberDataViewType n when n.RawType == typeof(float) && e.ValueKind == JsonValueKind.Number => e.TryGetSingle(out float f) ? f : null,
            NumberDataViewType n when n.RawType == typeof(float) => ReadFloating(e) is double d ? (float)d : null,
            NumberDataViewType n when n.RawType == typeof(double) => ReadFloating(e),
            NumberDataViewType n when n.RawType == typeof(int) && e.ValueKind == JsonValueKind.Number => e.TryGetInt32(out int i) ? i : null,
            NumberDataViewType n when n.RawType == typeof(long) && e.ValueKind == JsonValueKind.Number => e.TryGetInt64(out long l) ? l : null,
            NumberDataViewType n when n.RawType == typeof(uint) && e.ValueKind == JsonValueKind.Number => e.TryGetUInt32(out uint u) ? u : null,
            KeyDataViewType when e.ValueKind == JsonValueKind.Number => e.TryGetUInt32(out uint u) ? u : null,
            _ => null,
        };
        return value ?? throw new ModelFormatException(entry, $"{where}: '{e.GetRawText()}' is not a {type} value");
    }

    private static object? ReadFloating(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        // Non-finite values are written as strings, JSON having no literal for them.
        JsonValueKind.String when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && !double.IsFinite(d) => d,
        _ => null,
    };
}
