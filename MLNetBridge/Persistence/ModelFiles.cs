using System.IO.Compression;
using System.IO.Hashing;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.ML;

namespace MLComponents;

/// <summary>
/// Loading and saving ML.NET model files defensively, for models that come from elsewhere or must survive a crash.
/// <c>ml.Model.Load</c> trusts the .zip: its reader does not check CRCs (a flipped bit in an entry ML.NET reads loads silently)
/// and component failures arrive wrapped in <see cref="TargetInvocationException"/>. <see cref="LoadVerified(ModelOperationsCatalog, string, out DataViewSchema, ModelFileLimits?)"/>
/// checks the whole file first and reports every problem as one <see cref="ModelFormatException"/> naming the file and entry.
/// </summary>
public static class ModelFiles
{
    /// <summary>
    /// Loads a model after checking the file: a readable zip, at most <see cref="ModelFileLimits.MaxEntries"/> entries with sane names,
    /// every entry's decompressed size within limits and equal to what the zip declares, and every entry's CRC-32 as stored.
    /// Then ML.NET loads it, and the loaded pipeline is checked against the input schema saved with it; any failure (ours or
    /// ML.NET's) becomes a <see cref="ModelFormatException"/> naming the file.
    /// </summary>
    /// <param name="catalog">ML.NET's model catalog (<c>ml.Model</c>).</param>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <param name="limits">Caps; null uses <see cref="ModelFileLimits.Default"/>.</param>
    /// <exception cref="ModelFormatException">The file is not a valid, intact model.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static ITransformer LoadVerified(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema, ModelFileLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenRead(path);
        return LoadVerified(catalog, file, path, out inputSchema, limits);
    }

    /// <summary>As <see cref="LoadVerified(ModelOperationsCatalog, string, out DataViewSchema, ModelFileLimits?)"/>, from a stream named <paramref name="source"/> in errors.</summary>
    public static ITransformer LoadVerified(this ModelOperationsCatalog catalog, Stream stream, string source, out DataViewSchema inputSchema,
        ModelFileLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(source);
        limits ??= ModelFileLimits.Default;
        var bytes = ReadCapped(stream, source, limits.MaxFileBytes);
        Verify(bytes, source, limits);
        try
        {
            var model = catalog.Load(new MemoryStream(bytes, writable: false), out inputSchema);
            // ML.NET loads a chain step by step without checking that each step fits the next; a file whose steps were
            // mixed up would fail only at the first prediction. Check the whole chain against the schema saved with it now.
            if (inputSchema is not null) _ = model.GetOutputSchema(inputSchema);
            return model;
        }
        catch (Exception e) when (Cause(e) is ModelFormatException ours)
        {
            // ML.NET creates components through reflection (nested components twice over); give the caller our message, not the wrappers'.
            ExceptionDispatchInfo.Capture(ours).Throw();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // ML.NET's own messages nest ("Error during class instantiation" around the reason): show the chain.
            var chain = new List<string>();
            for (Exception? x = e; x is not null; x = x.InnerException)
            {
                if (x is not TargetInvocationException && !chain.Contains(x.Message)) chain.Add(x.Message);
            }
            throw ModelFormatException.ForFile(source, null, $"ML.NET cannot load it: {string.Join(" <- ", chain)}", Cause(e));
        }
    }

    /// <summary>
    /// Saves a model without ever leaving a half-written file at <paramref name="path"/>: ML.NET writes a temporary file next to it
    /// (<c>.&lt;name&gt;.&lt;process id&gt;.&lt;guid&gt;.tmp</c>), which is flushed to disk and then renamed over the target. If saving fails,
    /// the previous file (if any) is untouched and the temporary file is removed; temporary files that processes killed while
    /// saving left next to the target are removed by the next save.
    /// </summary>
    /// <param name="catalog">ML.NET's model catalog (<c>ml.Model</c>).</param>
    /// <param name="model">The model.</param>
    /// <param name="inputSchema">The input schema to store with it.</param>
    /// <param name="path">The target file.</param>
    public static void SaveAtomic(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!, name = Path.GetFileName(full);
        RemoveAbandonedTemporaryFiles(directory, name);
        string temporary = Path.Combine(directory, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                catalog.Save(model, inputSchema, stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Deletes temporary files of <paramref name="name"/> whose writing process no longer runs (it was killed mid-save).</summary>
    private static void RemoveAbandonedTemporaryFiles(string directory, string name)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var file in Directory.EnumerateFiles(directory, $".{name}.*.tmp"))
        {
            var parts = Path.GetFileName(file)[(name.Length + 2)..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || pid == Environment.ProcessId || IsRunning(pid)) continue;
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Another process is cleaning up too, or the file is in use: leave it for the next save.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>What was thrown inside ML.NET's reflection wrappers.</summary>
    internal static Exception Cause(Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner }) e = inner;
        return e;
    }

    private static byte[] ReadCapped(Stream stream, string source, long cap)
    {
        if (stream.CanSeek && stream.Length - stream.Position > cap)
            throw ModelFormatException.ForFile(source, null, $"is {stream.Length - stream.Position} bytes, more than the limit of {cap}");
        var ms = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            if (ms.Length + n > cap) throw ModelFormatException.ForFile(source, null, $"is more than the limit of {cap} bytes");
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    private static void Verify(byte[] bytes, string source, ModelFileLimits limits)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw ModelFormatException.ForFile(source, null, $"is not a zip archive, or is truncated or corrupt ({e.Message})", e);
        }
        using (zip)
        {
            IReadOnlyCollection<ZipArchiveEntry> entries;
            try
            {
                entries = zip.Entries;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                throw ModelFormatException.ForFile(source, null, $"has a corrupt zip directory ({e.Message})", e);
            }
            if (entries.Count > limits.MaxEntries)
                throw ModelFormatException.ForFile(source, null, $"has {entries.Count} entries, more than the limit of {limits.MaxEntries}");
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            long total = 0;
            foreach (var entry in entries)
            {
                string name = entry.FullName;
                if (name.Length == 0 || name.Length > 512 || name.Any(char.IsControl) || name.StartsWith('/') || name.Contains('\\')
                    || name.Split('/').Any(s => s is "." or ".."))
                    throw ModelFormatException.ForFile(source, Printable(name), "has an invalid entry name");
                if (!names.Add(name)) throw ModelFormatException.ForFile(source, name, "appears twice in the zip");
                if (entry.Length < 0 || entry.Length > limits.MaxEntryBytes)
                    throw ModelFormatException.ForFile(source, name, $"declares {entry.Length} bytes, more than the limit of {limits.MaxEntryBytes}");
                total += entry.Length;
                if (total > limits.MaxTotalBytes)
                    throw ModelFormatException.ForFile(source, name, $"brings the declared total past the limit of {limits.MaxTotalBytes} bytes");
                CheckEntry(entry, source);
            }
        }
    }

    /// <summary>Decompresses one entry, never past its declared size, and compares its CRC-32 with the one the zip stores.</summary>
    private static void CheckEntry(ZipArchiveEntry entry, string source)
    {
        var crc = new Crc32();
        long read = 0;
        var buffer = new byte[1 << 16];
        try
        {
            using var s = entry.Open();
            int n;
            while ((n = s.Read(buffer, 0, (int)Math.Min(buffer.Length, entry.Length - read + 1))) > 0)
            {
                read += n;
                if (read > entry.Length)
                    throw ModelFormatException.ForFile(source, entry.FullName, $"decompresses to more than the {entry.Length} bytes the zip declares");
                crc.Append(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw ModelFormatException.ForFile(source, entry.FullName, $"cannot be decompressed ({e.Message})", e);
        }
        if (read != entry.Length)
            throw ModelFormatException.ForFile(source, entry.FullName, $"decompresses to {read} bytes, the zip declares {entry.Length}");
        uint actual = crc.GetCurrentHashAsUInt32();
        if (actual != entry.Crc32)
            throw ModelFormatException.ForFile(source, entry.FullName, $"CRC-32 is {actual:x8}, the zip stores {entry.Crc32:x8}: the file is corrupt");
    }

    private static string Printable(string s) => new([.. s.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
}

/// <summary>Caps <see cref="ModelFiles.LoadVerified(ModelOperationsCatalog, string, out DataViewSchema, ModelFileLimits?)"/> enforces before ML.NET reads a byte.</summary>
public sealed record ModelFileLimits
{
    /// <summary>2 GiB per file, 10,000 entries, 2,000,000,000 bytes per entry, 8 GiB in total.</summary>
    public static ModelFileLimits Default { get; } = new();

    /// <summary>Most bytes of the model file.</summary>
    public long MaxFileBytes { get; init; } = int.MaxValue;

    /// <summary>Most entries in the .zip.</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>Most decompressed bytes of one entry.</summary>
    public long MaxEntryBytes { get; init; } = 2_000_000_000;

    /// <summary>Most decompressed bytes of all entries together.</summary>
    public long MaxTotalBytes { get; init; } = 8L << 30;
}
