using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace MLComponents.ModelFuzz;

/// <summary>One damaged variant of a saved model: what was done, and the bytes.</summary>
/// <param name="Kind">The kind of damage (the name used in counts).</param>
/// <param name="Bytes">The damaged file.</param>
public sealed record Mutant(string Kind, byte[] Bytes);

/// <summary>
/// Ways to damage an ML.NET model .zip, from bit rot to crafted attacks on our blob readers. Deterministic for a seed, so a
/// mutant is rebuilt from (seed, index) wherever it is needed (the harness's workers, a test's failure message).
/// </summary>
public static class ModelMutations
{
    /// <summary>The kinds, in the order <see cref="Create"/> cycles through them.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
    [
        "bit flip", "byte run", "truncation", "declared size", "entry dropped", "entry duplicated", "entry renamed",
        "entry swapped between models", "hostile safetensors header", "hostile non-finite weight", "hostile deep JSON", "hostile huge JSON",
    ];

    /// <summary>Mutant number <paramref name="index"/> of <paramref name="original"/> (a model file), <paramref name="other"/> another model file.</summary>
    public static Mutant Create(byte[] original, byte[] other, int seed, int index)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(other);
        // Not HashCode.Combine: it is randomised per process, and a mutant must be the same in every process.
        var rng = new Random(unchecked((seed * 1_000_003) + index));
        string kind = Kinds[rng.Next(Kinds.Count)];
        // A kind that does not apply to this model (no float weights, no entry shared with the other model) becomes a bit flip.
        var bytes = Apply(kind, original, other, rng);
        return bytes is null ? new Mutant("bit flip", Apply("bit flip", original, other, rng)!) : new Mutant(kind, bytes);
    }

    private static byte[]? Apply(string kind, byte[] original, byte[] other, Random rng)
    {
        var b = (byte[])original.Clone();
        switch (kind)
        {
            case "bit flip":
                b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case "byte run":
                int at = rng.Next(b.Length), run = Math.Min(rng.Next(1, 65), b.Length - at);
                rng.NextBytes(b.AsSpan(at, run));
                return b;
            case "truncation":
                return b[..rng.Next(b.Length)];
            case "declared size":
                return InflateDeclaredSize(b, rng);
            case "entry dropped":
            {
                var names = EntryNames(original);
                string drop = names[rng.Next(names.Count)];
                return Rezip(original, (n, d) => n == drop ? null : d);
            }
            case "entry duplicated":
            {
                var names = EntryNames(original);
                string dup = names[rng.Next(names.Count)];
                return Rezip(original, (_, d) => d, extra: (dup, EntryBytes(original, dup)));
            }
            case "entry renamed":
            {
                var names = EntryNames(original);
                string from = names[rng.Next(names.Count)];
                return Rezip(original, (_, d) => d, rename: (from, from + "x"));
            }
            case "entry swapped between models":
            {
                // The same entry of the other model: contents with a valid zip CRC of their own.
                var shared = EntryNames(original).Intersect(EntryNames(other)).Where(n => n.Contains('/')).ToList();
                if (shared.Count == 0) return null;
                string swap = shared[rng.Next(shared.Count)];
                var replacement = EntryBytes(other, swap);
                if (replacement.AsSpan().SequenceEqual(EntryBytes(original, swap))) return null;
                return Rezip(original, (n, d) => n == swap ? replacement : d);
            }
            case "hostile safetensors header":
            case "hostile non-finite weight":
            {
                // Non-finite values go into float tensors only (an int tensor changed on purpose is just a different, valid model).
                var weights = EntryNames(original).Where(n => n.EndsWith("/weights.safetensors", StringComparison.Ordinal))
                    .Where(n => kind != "hostile non-finite weight" || FloatRanges(EntryBytes(original, n)).Count > 0).ToList();
                if (weights.Count == 0) return null;
                string entry = weights[rng.Next(weights.Count)];
                var blob = EntryBytes(original, entry);
                return Crafted(original, entry, kind == "hostile non-finite weight" ? NonFinite(blob, rng) : BadHeader(blob, rng));
            }
            default:
            {
                var options = EntryNames(original).Where(n => n.EndsWith("/options.json", StringComparison.Ordinal)).ToList();
                if (options.Count == 0) return null;
                string entry = options[rng.Next(options.Count)];
                byte[] json = kind == "hostile deep JSON"
                    ? Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}")
                    : Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 8 << 20) + "\"}");
                return Crafted(original, entry, json);
            }
        }
    }

    /// <summary>Claims a much larger uncompressed size for one entry, in its central directory record or its local header.</summary>
    private static byte[] InflateDeclaredSize(byte[] b, Random rng)
    {
        var headers = new List<(int Offset, int SizeField)>();
        for (int i = 0; i + 30 < b.Length; i++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i));
            if (sig == 0x02014b50) headers.Add((i, 24));
            else if (sig == 0x04034b50) headers.Add((i, 22));
        }
        var (offset, field) = headers[rng.Next(headers.Count)];
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset + field), (uint)rng.Next(1 << 20, int.MaxValue));
        return b;
    }

    private static byte[] NonFinite(byte[] blob, Random rng)
    {
        var crafted = (byte[])blob.Clone();
        var ranges = FloatRanges(blob);
        var (begin, end) = ranges[rng.Next(ranges.Count)];
        float bad = rng.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
        BinaryPrimitives.WriteSingleLittleEndian(crafted.AsSpan(begin + (4 * rng.Next((end - begin) / 4))), bad);
        return crafted;
    }

    /// <summary>Byte ranges (in the blob) of its non-empty F32 tensors.</summary>
    private static List<(int Begin, int End)> FloatRanges(byte[] blob)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(blob);
        using var header = System.Text.Json.JsonDocument.Parse(blob.AsMemory(8, headerLength));
        var ranges = new List<(int, int)>();
        foreach (var tensor in header.RootElement.EnumerateObject())
        {
            if (tensor.Name == "__metadata__" || tensor.Value.GetProperty("dtype").GetString() != "F32") continue;
            var offsets = tensor.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            if (end > begin) ranges.Add((8 + headerLength + begin, 8 + headerLength + end));
        }
        return ranges;
    }

    /// <summary>A safetensors header with overlapping, negative or out-of-range offsets, a wrong dtype or a shape larger than its data.</summary>
    private static byte[] BadHeader(byte[] blob, Random rng)
    {
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(blob);
        string header = Encoding.UTF8.GetString(blob, 8, (int)headerLength);
        string changed = rng.Next(6) switch
        {
            0 => ReplaceFirst(header, "\"data_offsets\":[0,", "\"data_offsets\":[4,"),
            1 => ReplaceFirst(header, "\"data_offsets\":[", "\"data_offsets\":[-8,"),
            2 => ReplaceFirst(header, "\"shape\":[", "\"shape\":[1000000,"),
            3 => ReplaceFirst(header, "\"F32\"", "\"F64\""),
            4 => ReplaceFirst(header, "]}", "]},\"extra\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[999999999,1000000015]}"),
            _ => ReplaceFirst(header, "\"shape\":[", "\"shape\":[2147483647,2147483647,"),
        };
        var headerBytes = Encoding.UTF8.GetBytes(changed.PadRight((changed.Length + 7) & ~7));
        var crafted = new byte[8 + headerBytes.Length + blob.Length - 8 - (int)headerLength];
        BinaryPrimitives.WriteUInt64LittleEndian(crafted, (ulong)headerBytes.Length);
        headerBytes.CopyTo(crafted, 8);
        blob.AsSpan(8 + (int)headerLength).CopyTo(crafted.AsSpan(8 + headerBytes.Length));
        return crafted;
    }

    private static string ReplaceFirst(string s, string what, string with)
    {
        int i = s.IndexOf(what, StringComparison.Ordinal);
        return i < 0 ? s + " " : s[..i] + with + s[(i + what.Length)..];
    }

    /// <summary>
    /// Replaces one of our entries and updates our entry table in its Model.key (name, int64 length, uint32 CRC-32) and the zip
    /// CRC to match, so only the blob and option readers can catch the change.
    /// </summary>
    private static byte[] Crafted(byte[] original, string entry, byte[] content)
    {
        string key = entry[..entry.LastIndexOf('/')] + "/Model.key";
        string name = entry[(entry.LastIndexOf('/') + 1)..];
        var modelKey = PatchRecord(EntryBytes(original, key), name, content);
        return Rezip(original, (n, d) => n == entry ? content : n == key ? modelKey : d);
    }

    private static byte[] PatchRecord(byte[] modelKey, string entry, byte[] content)
    {
        var name = Encoding.UTF8.GetBytes(entry);
        var needle = new byte[name.Length + 1];
        needle[0] = (byte)name.Length;
        name.CopyTo(needle, 1);
        int at = modelKey.AsSpan().IndexOf(needle);
        if (at < 0) throw new InvalidOperationException($"the record of '{entry}' is not in Model.key");
        var patched = (byte[])modelKey.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(patched.AsSpan(at + needle.Length), content.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(at + needle.Length + 8), Crc32.HashToUInt32(content));
        return patched;
    }

    /// <summary>The entry names of a zip.</summary>
    public static List<string> EntryNames(byte[] zip)
    {
        using var z = new ZipArchive(new MemoryStream(zip));
        return [.. z.Entries.Select(e => e.FullName)];
    }

    /// <summary>The decompressed bytes of one entry.</summary>
    public static byte[] EntryBytes(byte[] zip, string name)
    {
        using var z = new ZipArchive(new MemoryStream(zip));
        using var s = z.GetEntry(name)!.Open();
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>A copy of a zip with entries changed (null drops one), one extra entry, or one renamed.</summary>
    public static byte[] Rezip(byte[] zip, Func<string, byte[], byte[]?> change, (string Name, byte[] Data)? extra = null, (string From, string To)? rename = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip)))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var s = entry.Open();
                var ms = new MemoryStream();
                s.CopyTo(ms);
                var data = change(entry.FullName, ms.ToArray());
                if (data is null) continue;
                string name = rename is { } r && r.From == entry.FullName ? r.To : entry.FullName;
                using var w = target.CreateEntry(name).Open();
                w.Write(data);
            }
            if (extra is { } x)
            {
                using var w = target.CreateEntry(x.Name).Open();
                w.Write(x.Data);
            }
        }
        return output.ToArray();
    }
}
