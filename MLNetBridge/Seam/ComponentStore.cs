using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Microsoft.ML;

namespace MLComponents.MLNet;

/// <summary>
/// How our components sit inside ML.NET's model .zip. Each component gets a folder (ML.NET's choice, e.g.
/// <c>TransformerChain/Transformer1</c>) holding ML.NET's <c>Model.key</c> stream and our entries: <c>options.json</c>,
/// <c>weights.safetensors</c> (when the component has tensors) and one <c>&lt;name&gt;.txt</c> per stored text list and one <c>&lt;name&gt;.bin</c> per blob.
/// Model.key (after ML.NET's header) records every entry's name, length and CRC-32, because the .zip reader does not
/// check CRCs: a flipped bit in a stored weight is caught here, not silently loaded.
/// </summary>
internal static class ComponentStore
{
    private const int StoreVersion = 1;
    private const int MaxEntryNameLength = 80;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Save(ModelSaveContext ctx, ComponentSignature signature, Type componentType, Action<ComponentSaveContext> save)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        signature.Validate(componentType);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(VersionOf(signature, componentType));
        var component = new ComponentSaveContext();
        save(component);

        var entries = new List<(string Name, byte[] Bytes)>
        {
            (ComponentLoadContext.OptionsEntry, Utf8.GetBytes(component.Options.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))),
        };
        if (component.Tensors.Count > 0)
            entries.Add((ComponentLoadContext.WeightsEntry, SafeTensorsFormat.Write(component.Tensors)));
        foreach (var (name, lines) in component.Texts.OrderBy(t => t.Key, StringComparer.Ordinal))
            entries.Add((name + ComponentLoadContext.TextSuffix, StoredText.Encode(lines)));
        foreach (var (name, bytes) in component.Blobs.OrderBy(t => t.Key, StringComparer.Ordinal))
            entries.Add((name + ComponentLoadContext.BlobSuffix, bytes));

        var w = ctx.Writer;
        w.Write(StoreVersion);
        w.Write(entries.Count);
        foreach (var (name, bytes) in entries)
        {
            w.Write(name);
            w.Write((long)bytes.Length);
            w.Write(Crc32.HashToUInt32(bytes));
        }
        foreach (var (name, bytes) in entries) ctx.SaveBinaryStream(name, bw => bw.Write(bytes));
    }

    public static ComponentLoadContext Open(ModelLoadContext ctx, ComponentSignature signature, Type componentType, ComponentLimits limits)
    {
        string component = string.IsNullOrEmpty(ctx.Directory) ? componentType.Name : $"{componentType.Name} at '{ctx.Directory}'";
        ctx.CheckAtModel(VersionOf(signature, componentType));
        var table = ReadTable(ctx.Reader, component, limits);
        byte[]? ReadEntry(string name)
        {
            if (!table.TryGetValue(name, out var record)) return null;
            byte[]? bytes = null;
            bool found;
            try
            {
                found = ctx.TryLoadBinaryStream(name, r => bytes = ReadExactly(r.BaseStream, record.Length, component, name));
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw new ModelFormatException(component, name, $"cannot be read ({e.Message})", e);
            }
            if (!found || bytes is null) throw new ModelFormatException(component, name, "is recorded in Model.key but missing from the .zip");
            uint crc = Crc32.HashToUInt32(bytes);
            if (crc != record.Crc)
                throw new ModelFormatException(component, name, $"CRC-32 is {crc:x8}, {record.Crc:x8} was recorded when it was saved: the file is corrupt");
            return bytes;
        }
        return new ComponentLoadContext(component, table.Keys.ToHashSet(StringComparer.Ordinal), ReadEntry, limits);
    }

    private readonly record struct EntryRecord(long Length, uint Crc);

    private static Dictionary<string, EntryRecord> ReadTable(BinaryReader r, string component, ComponentLimits limits)
    {
        const string where = "Model.key";
        try
        {
            int version = r.ReadInt32();
            if (version != StoreVersion)
                throw new ModelFormatException(component, where, $"entry table version {version} is not supported (expected {StoreVersion})");
            int count = r.ReadInt32();
            if (count < 1 || count > limits.MaxEntries)
                throw new ModelFormatException(component, where, $"records {count} entries; between 1 and {limits.MaxEntries} expected");
            var table = new Dictionary<string, EntryRecord>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                if (name.Length is 0 or > MaxEntryNameLength || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
                    throw new ModelFormatException(component, where, $"entry {i} has the invalid name '{Printable(name)}'");
                long length = r.ReadInt64();
                if (length < 0 || length > limits.MaxEntryBytes)
                    throw new ModelFormatException(component, where, $"entry '{name}' records {length} bytes; between 0 and {limits.MaxEntryBytes} expected");
                uint crc = r.ReadUInt32();
                if (!table.TryAdd(name, new EntryRecord(length, crc)))
                    throw new ModelFormatException(component, where, $"entry '{name}' is recorded twice");
            }
            return table;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or DecoderFallbackException)
        {
            throw new ModelFormatException(component, where, $"the entry table is truncated or corrupt ({e.Message})", e);
        }
    }

    private static byte[] ReadExactly(Stream s, long length, string component, string name)
    {
        if (s.CanSeek && s.Length - s.Position != length)
            throw new ModelFormatException(component, name, $"holds {s.Length - s.Position} bytes, {length} were recorded when it was saved");
        var bytes = new byte[length];
        try
        {
            s.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFormatException(component, name, $"is shorter than the {length} bytes recorded when it was saved", e);
        }
        if (!s.CanSeek && s.ReadByte() >= 0)
            throw new ModelFormatException(component, name, $"is longer than the {length} bytes recorded when it was saved");
        return bytes;
    }

    private static string Printable(string s) =>
        new([.. s.Take(MaxEntryNameLength).Select(c => char.IsControl(c) ? '?' : c)]);

    private static VersionInfo VersionOf(ComponentSignature signature, Type componentType) =>
        new(signature.ModelSignature, signature.Version, signature.Version, signature.MinReadableVersion,
            loaderAssemblyName: componentType.Assembly.FullName, loaderSignature: signature.LoaderSignature);
}
