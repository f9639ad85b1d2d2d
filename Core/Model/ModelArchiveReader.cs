using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MLComponents;

/// <summary>
/// Reads a model archive defensively. Order matters: entry names, counts and declared sizes are checked
/// first; then the manifest and every entry it references are read (with caps on the bytes actually
/// decompressed) and fully validated; only then is any component's Load method run.
/// </summary>
internal sealed class ModelArchiveReader
{
    private readonly string _source;
    private readonly ModelArchiveLimits _limits;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private long _bytesRead;

    private ModelArchiveReader(string source, ModelArchiveLimits limits)
    {
        _source = source; _limits = limits;
    }

    /// <summary>Loads the model in <paramref name="stream"/>; <paramref name="source"/> names it in errors (a path, or "stream").</summary>
    public static ITransformer Load(Stream stream, string source, ComponentRegistry registry, ModelArchiveLimits limits, out DataViewSchema inputSchema)
    {
        limits.Validate();
        var reader = new ModelArchiveReader(source, limits);
        var seekable = stream.CanSeek ? stream : reader.CopyToMemory(stream);
        try
        {
            reader.PrecheckEntryCount(seekable);
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true, Encoding.UTF8);
            }
            catch (Exception e) when (IsCorruptZip(e))
            {
                throw ModelFormatException.ForFile(source, $"is not a zip archive, or is truncated or corrupt ({e.Message})", e);
            }
            using (zip)
            {
                reader.Index(zip);
                var (schema, root) = ModelManifest.Read(reader.ReadEntry(ModelManifest.EntryName, null).Span, limits);
                var ctx = reader.BuildContext(root, registry);
                object model = registry.Create(ctx);
                inputSchema = schema;
                return model as ITransformer ?? throw new ModelFormatException(ctx.EntryPath,
                    $"the root component '{ctx.TypeId}' loads as {model.GetType().Name}, which is not an ITransformer");
            }
        }
        finally
        {
            if (!ReferenceEquals(seekable, stream)) seekable.Dispose();
        }
    }

    /// <summary>Failures the zip reader raises on a truncated or corrupt file (none of them ours).</summary>
    private static bool IsCorruptZip(Exception e) =>
        e is InvalidDataException or IOException or NotSupportedException or ArgumentOutOfRangeException or OverflowException;

    private MemoryStream CopyToMemory(Stream stream)
    {
        // ZipArchive would buffer a non-seekable stream itself, without any bound.
        long cap = Math.Min(_limits.MaxTotalBytes + (1 << 20), Array.MaxLength);
        var ms = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            if (ms.Length + n > cap) throw ModelFormatException.ForFile(_source, $"is larger than the limit of {cap} bytes");
            ms.Write(buffer, 0, n);
        }
        ms.Position = 0;
        return ms;
    }

    /// <summary>
    /// Reads the entry count from the end-of-central-directory record before ZipArchive materialises one
    /// object per entry: a tiny file can claim (and hold) hundreds of thousands of entries.
    /// </summary>
    private void PrecheckEntryCount(Stream s)
    {
        long start = s.Position, length = s.Length;
        const int eocdSize = 22;
        if (length - start < eocdSize) return; // ZipArchive reports it as not a zip
        int tail = (int)Math.Min(length - start, eocdSize + ushort.MaxValue);
        var buf = new byte[tail];
        s.Position = length - tail;
        s.ReadExactly(buf);
        s.Position = start;
        for (int i = tail - eocdSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(i)) != 0x06054b50) continue;
            ushort total = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(i + 10));
            // 0xFFFF defers to the zip64 record; the count is then checked after parsing.
            if (total != ushort.MaxValue && total > _limits.MaxEntryCount) throw TooManyEntries(total);
            return;
        }
    }

    private ModelFormatException TooManyEntries(long count) =>
        ModelFormatException.ForFile(_source, $"has {count} entries, more than the limit of {_limits.MaxEntryCount}");

    private void Index(ZipArchive zip)
    {
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            entries = zip.Entries;
        }
        catch (Exception e) when (IsCorruptZip(e))
        {
            throw ModelFormatException.ForFile(_source, $"has a corrupt central directory ({e.Message})", e);
        }
        if (entries.Count > _limits.MaxEntryCount) throw TooManyEntries(entries.Count);
        long declaredTotal = 0;
        foreach (var e in entries)
        {
            string name = e.FullName;
            if (ArchiveEntryName.Problem(name) is string problem) throw new ModelFormatException(name, problem);
            if (!_entries.TryAdd(name, e)) throw new ModelFormatException(name, "the archive holds two entries of this name");
            if (ArchiveEntryName.IsDirectory(name) && e.Length != 0)
                throw new ModelFormatException(name, "a directory entry must not hold data");
            if (e.Length < 0 || e.Length > _limits.MaxEntryBytes)
                throw new ModelFormatException(name, $"declares {e.Length} uncompressed bytes, more than the per-entry limit of {_limits.MaxEntryBytes}");
            declaredTotal += e.Length;
            if (declaredTotal > _limits.MaxTotalBytes)
                throw ModelFormatException.ForFile(_source, $"entries declare more than the limit of {_limits.MaxTotalBytes} uncompressed bytes in total");
        }
    }

    /// <summary>
    /// Decompresses one entry, counting the bytes actually produced: the sizes in a zip are only claims.
    /// Each entry may back only one thing, so a manifest cannot make us decompress the same bomb twice.
    /// </summary>
    private ReadOnlyMemory<byte> ReadEntry(string name, string? referencedBy)
    {
        if (!_entries.TryGetValue(name, out var entry) || ArchiveEntryName.IsDirectory(name))
            throw new ModelFormatException(name, referencedBy is null
                ? "is missing: this is not an MLComponents model archive"
                : $"is referenced by component '{referencedBy}' but is not in the archive");
        if (!_used.Add(name)) throw new ModelFormatException(name, "is referenced more than once by the manifest");
        try
        {
            using var s = entry.Open();
            var bytes = ReadCapped(s, name, entry.Length, _limits.MaxEntryBytes, _limits.MaxTotalBytes, _bytesRead);
            _bytesRead += bytes.Length;
            return bytes;
        }
        catch (Exception e) when (IsCorruptZip(e))
        {
            throw new ModelFormatException(name, $"cannot be decompressed: the archive is truncated or corrupt ({e.Message})", e);
        }
    }

    /// <summary>
    /// Copies a decompressing stream, failing as soon as it produces more than the per-entry cap or than what
    /// is left of the archive's total budget (<paramref name="totalCap"/> minus <paramref name="alreadyRead"/>).
    /// </summary>
    internal static ReadOnlyMemory<byte> ReadCapped(Stream source, string name, long declared, long entryCap, long totalCap, long alreadyRead)
    {
        long totalLeft = totalCap - alreadyRead;
        // The declared size sizes the buffer (no regrowth copies for honest archives). Believing it costs no more
        // than the caps already allow: a real bomb within the caps gets that far too, just more slowly.
        var ms = new MemoryStream((int)Math.Clamp(Math.Min(declared, Math.Min(entryCap, totalLeft)), 0, Array.MaxLength));
        var buffer = new byte[1 << 16];
        int n;
        while ((n = source.Read(buffer)) > 0)
        {
            long next = ms.Length + n;
            if (next > entryCap)
                throw new ModelFormatException(name, $"decompresses to more than the per-entry limit of {entryCap} bytes (it declares {declared})");
            if (next > totalLeft)
                throw new ModelFormatException(name, $"decompressing it would exceed the limit of {totalCap} uncompressed bytes for the whole archive");
            ms.Write(buffer, 0, n);
        }
        return ms.GetBuffer().AsMemory(0, (int)ms.Length);
    }

    private ModelLoadContext BuildContext(ModelManifest.Component c, ComponentRegistry registry)
    {
        var tensors = c.TensorsEntry is null
            ? new Dictionary<string, TensorData>(StringComparer.Ordinal)
            : SafeTensorsFormat.Read(ReadEntry(c.TensorsEntry, c.Path).Span, c.TensorsEntry, _limits.MaxTensorHeaderBytes);
        var texts = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, entry) in c.TextEntries) texts.Add(name, DecodeText(ReadEntry(entry, c.Path).Span, entry));
        var children = new Dictionary<string, ModelLoadContext>(StringComparer.Ordinal);
        foreach (var (name, child) in c.Children) children.Add(name, BuildContext(child, registry));
        return new ModelLoadContext(c.TypeId, c.Path, c.Options, tensors, texts, children, registry);
    }

    /// <summary>The mirror of <see cref="ModelArchiveWriter.EncodeText"/>: strict UTF-8, every item ended by '\n'.</summary>
    private static string[] DecodeText(ReadOnlySpan<byte> bytes, string entry)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelFormatException(entry, "is not valid UTF-8 text", e);
        }
        if (text.Length == 0) return [];
        if (text[^1] != '\n') throw new ModelFormatException(entry, "does not end with a line break (truncated?)");
        if (text.Contains('\r')) throw new ModelFormatException(entry, "contains a carriage return; items are separated by '\\n' only");
        return text[..^1].Split('\n');
    }
}
