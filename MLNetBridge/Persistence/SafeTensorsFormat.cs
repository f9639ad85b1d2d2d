using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace MLComponents;

/// <summary>
/// The safetensors layout (as read by Python's <c>safetensors</c>): an 8-byte little-endian header length N,
/// N bytes of UTF-8 JSON <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}</c>,
/// then the raw little-endian data, offsets relative to the end of the header. Only F32 and I32 are used here.
/// </summary>
internal static class SafeTensorsFormat
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Serialises tensors into a new array (see <see cref="Write(Stream, IEnumerable{KeyValuePair{string, TensorData}}, IReadOnlyDictionary{string, string})"/>).</summary>
    public static byte[] Write(IEnumerable<KeyValuePair<string, TensorData>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ms = new MemoryStream();
        Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    /// <summary>
    /// Streams tensors to <paramref name="destination"/>, sorted by name so that the same model always gives the
    /// same bytes; the data is written straight from the tensors' arrays, never copied into one big buffer.
    /// </summary>
    public static void Write(Stream destination, IEnumerable<KeyValuePair<string, TensorData>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var sorted = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var header = new MemoryStream();
        long offset = 0;
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var kv in metadata) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            foreach (var (name, t) in sorted)
            {
                long bytes = checked(t.ElementCount * 4);
                w.WriteStartObject(name);
                w.WriteString("dtype", t.Floats is not null ? "F32" : "I32");
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int headerLen = (int)header.Length;
        int padded = (headerLen + 7) & ~7;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        destination.Write(prefix);
        destination.Write(header.GetBuffer().AsSpan(0, headerLen));
        for (int i = headerLen; i < padded; i++) destination.WriteByte((byte)' ');
        foreach (var (_, t) in sorted)
        {
            if (t.Floats is not null) WriteLittleEndian<float>(destination, t.Floats);
            else WriteLittleEndian<int>(destination, t.Ints!);
        }
    }

    /// <summary>Parses and fully validates a safetensors blob; every problem names <paramref name="entry"/>.</summary>
    public static Dictionary<string, TensorData> Read(ReadOnlySpan<byte> bytes, string component, string entry, long maxHeaderBytes)
    {
        if (bytes.Length < 8)
            throw new ModelFormatException(component, entry, $"safetensors data is {bytes.Length} bytes, shorter than its 8-byte header length");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLen > (ulong)(bytes.Length - 8))
            throw new ModelFormatException(component, entry, $"safetensors header length {headerLen} exceeds the {bytes.Length - 8} bytes that follow it");
        if (headerLen > (ulong)maxHeaderBytes)
            throw new ModelFormatException(component, entry, $"safetensors header length {headerLen} exceeds the limit of {maxHeaderBytes} bytes");
        if (headerLen < 2)
            throw new ModelFormatException(component, entry, $"safetensors header length {headerLen} is too small for a JSON object");
        var headerBytes = bytes.Slice(8, (int)headerLen);
        var data = bytes[(8 + (int)headerLen)..];

        var infos = ParseHeader(headerBytes, component, entry);
        CheckCoverage(infos, data.Length, component, entry);

        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var info in infos)
        {
            var raw = data.Slice((int)info.Begin, (int)(info.End - info.Begin));
            result.Add(info.Name, info.IsFloat
                ? TensorData.WrapFloats(ReadLittleEndian<float>(raw), info.Shape)
                : TensorData.WrapInts(ReadLittleEndian<int>(raw), info.Shape));
        }
        return result;
    }

    private sealed record TensorInfo(string Name, bool IsFloat, int[] Shape, long Begin, long End);

    private static List<TensorInfo> ParseHeader(ReadOnlySpan<byte> header, string component, string entry)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header);
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelFormatException(component, entry, "safetensors header is not valid UTF-8", e);
        }
        // The reference writer pads with trailing spaces; anything else around the object is malformed.
        text = text.TrimEnd(' ');
        if (!text.StartsWith('{'))
            throw new ModelFormatException(component, entry, "safetensors header does not start with '{'");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(component, entry, $"safetensors header is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException(component, entry, "safetensors header is not a JSON object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var infos = new List<TensorInfo>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(prop.Name))
                    throw new ModelFormatException(component, entry, $"safetensors header names '{prop.Name}' twice");
                if (prop.Name == MetadataKey)
                {
                    CheckMetadata(prop.Value, component, entry);
                    continue;
                }
                if (prop.Name.Length == 0)
                    throw new ModelFormatException(component, entry, "safetensors header has a tensor with an empty name");
                infos.Add(ParseTensorInfo(prop.Name, prop.Value, component, entry));
            }
            return infos;
        }
    }

    private static void CheckMetadata(JsonElement meta, string component, string entry)
    {
        if (meta.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(component, entry, "safetensors __metadata__ is not an object of strings");
        foreach (var p in meta.EnumerateObject())
            if (p.Value.ValueKind != JsonValueKind.String)
                throw new ModelFormatException(component, entry, $"safetensors __metadata__ value '{p.Name}' is not a string");
    }

    private static TensorInfo ParseTensorInfo(string name, JsonElement e, string component, string entry)
    {
        string what = $"tensor '{name}'";
        if (e.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(component, entry, $"{what}: header value is not an object");
        string? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "dtype" when dtype is null:
                    dtype = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()
                        : throw new ModelFormatException(component, entry, $"{what}: dtype is not a string");
                    break;
                case "shape" when shape is null:
                    shape = [.. ReadIntegers(p.Value, what, "shape", int.MaxValue, component, entry).Select(v => (int)v)];
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(p.Value, what, "data_offsets", long.MaxValue, component, entry);
                    break;
                default:
                    throw new ModelFormatException(component, entry, $"{what}: unexpected or repeated field '{p.Name}'");
            }
        }
        if (dtype is null || shape is null || offsets is null)
            throw new ModelFormatException(component, entry, $"{what}: needs dtype, shape and data_offsets");
        bool isFloat = dtype switch
        {
            "F32" => true,
            "I32" => false,
            _ => throw new ModelFormatException(component, entry, $"{what}: dtype '{dtype}' is not supported (F32 or I32 expected)"),
        };
        if (offsets.Length != 2)
            throw new ModelFormatException(component, entry, $"{what}: data_offsets must be [begin, end], got {offsets.Length} numbers");
        if (offsets[1] < offsets[0])
            throw new ModelFormatException(component, entry, $"{what}: data_offsets [{offsets[0]}, {offsets[1]}] end before they begin");
        long count = shape.Contains(0) ? 0 : 1;
        foreach (int d in shape)
        {
            if (count == 0) break;
            count *= d;
            if (count > Array.MaxLength)
                throw new ModelFormatException(component, entry, $"{what}: shape [{string.Join(",", shape)}] has more elements than an array can hold");
        }
        if (offsets[1] - offsets[0] != count * 4)
            throw new ModelFormatException(component, entry,
                $"{what}: shape [{string.Join(",", shape)}] needs {count * 4} bytes but data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return new TensorInfo(name, isFloat, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(JsonElement e, string what, string field, long max, string component, string entry)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException(component, entry, $"{what}: {field} is not an array");
        var result = new long[e.GetArrayLength()];
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0 || v > max)
                throw new ModelFormatException(component, entry, $"{what}: {field} holds '{item.GetRawText()}', not an integer in [0, {max.ToString(CultureInfo.InvariantCulture)}]");
            result[i++] = v;
        }
        return result;
    }

    /// <summary>Tensors must tile the data region exactly: no gaps, no overlaps, nothing past the end.</summary>
    private static void CheckCoverage(List<TensorInfo> infos, long dataLength, string component, string entry)
    {
        long expected = 0;
        string? previous = null;
        foreach (var info in infos.OrderBy(i => i.Begin).ThenBy(i => i.End))
        {
            if (info.End > dataLength)
                throw new ModelFormatException(component, entry,
                    $"tensor '{info.Name}': data_offsets [{info.Begin}, {info.End}] run past the {dataLength}-byte data region");
            if (info.Begin < expected)
                throw new ModelFormatException(component, entry, $"tensor '{info.Name}': data_offsets [{info.Begin}, {info.End}] overlap tensor '{previous}'");
            if (info.Begin > expected)
                throw new ModelFormatException(component, entry, $"tensor '{info.Name}': data_offsets [{info.Begin}, {info.End}] leave bytes [{expected}, {info.Begin}) unused");
            expected = info.End;
            previous = info.Name;
        }
        if (expected != dataLength)
            throw new ModelFormatException(component, entry, $"safetensors data region is {dataLength} bytes but the tensors cover only {expected}");
    }

    private static void WriteLittleEndian<T>(Stream destination, T[] values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            destination.Write(bytes);
            return;
        }
        var swapped = bytes.ToArray();
        ReverseEach4(swapped);
        destination.Write(swapped);
    }

    private static T[] ReadLittleEndian<T>(ReadOnlySpan<byte> raw) where T : unmanaged
    {
        var result = new T[raw.Length / 4];
        var bytes = MemoryMarshal.AsBytes(result.AsSpan());
        raw.CopyTo(bytes);
        if (!BitConverter.IsLittleEndian) ReverseEach4(bytes);
        return result;
    }

    private static void ReverseEach4(Span<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, uint>(bytes);
        BinaryPrimitives.ReverseEndianness(words, words);
    }
}
