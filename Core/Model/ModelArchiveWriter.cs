using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MLComponents;

/// <summary>
/// Writes a model archive: manifest.json first, then per component its safetensors file and text entries.
/// Entry order, names and timestamps are fixed, so saving the same model twice gives identical bytes.
/// </summary>
internal static class ModelArchiveWriter
{
    // Zip timestamps cannot be before 1980; a fixed one keeps archives reproducible.
    private static readonly DateTimeOffset FixedTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> TensorMetadata = new() { ["producer"] = "MLComponents" };

    /// <summary>Asks the model to describe itself (all of it, before a byte is written), then writes the zip.</summary>
    public static void Write(Stream output, ITransformer model, DataViewSchema inputSchema)
    {
        var root = new ModelSaveContext(model.ComponentTypeId);
        model.Save(root);
        var manifestRoot = Describe(root, ModelManifest.RootPath);
        // Serialise the manifest before opening the zip, so a schema that cannot be saved writes nothing.
        byte[] manifest = ModelManifest.Write(inputSchema, manifestRoot);

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8);
        AddEntry(zip, ModelManifest.EntryName, manifest, CompressionLevel.Optimal);
        WriteData(zip, root, manifestRoot);
    }

    private static ModelManifest.Component Describe(ModelSaveContext ctx, string path)
    {
        if (string.IsNullOrWhiteSpace(ctx.TypeId))
            throw new InvalidOperationException($"The component saved at '{path}' has an empty ComponentTypeId.");
        CheckPlainJson(ctx, path);
        var c = new ModelManifest.Component(path, ctx.TypeId, ctx.Options);
        if (ctx.Tensors.Count > 0) c.TensorsEntry = ModelManifest.TensorsEntryOf(path);
        foreach (string name in ctx.Texts.Keys) c.TextEntries.Add(new(name, ModelManifest.TextEntryOf(path, name)));
        foreach (var (name, child) in ctx.Children) c.Children.Add(new(name, Describe(child, ModelManifest.ChildPath(path, name))));
        return c;
    }

    /// <summary>Options end up in the manifest; fail here, naming the component, rather than deep in serialisation.</summary>
    private static void CheckPlainJson(ModelSaveContext ctx, string path)
    {
        try
        {
            _ = ctx.Options.ToJsonString();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or JsonException)
        {
            throw new InvalidOperationException(
                $"The options of component '{ctx.TypeId}' (saved at '{path}') are not plain JSON data: {e.Message}", e);
        }
    }

    private static void WriteData(ZipArchive zip, ModelSaveContext ctx, ModelManifest.Component c)
    {
        if (c.TensorsEntry is not null)
        {
            // Stored, not deflated: trained float weights barely compress (a few percent) and deflating them
            // made saving several times slower.
            var entry = zip.CreateEntry(c.TensorsEntry, CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedTimestamp;
            using var s = entry.Open();
            SafeTensorsFormat.Write(s, ctx.Tensors, TensorMetadata);
        }
        foreach (var (name, entry) in c.TextEntries)
            AddEntry(zip, entry, EncodeText(ctx.Texts[name], entry), CompressionLevel.Optimal);
        for (int i = 0; i < c.Children.Count; i++)
            WriteData(zip, ctx.Children[i].Context, c.Children[i].Value);
    }

    /// <summary>Each item is followed by '\n', so an empty list and a list holding one empty string differ.</summary>
    public static byte[] EncodeText(string[] lines, string entry)
    {
        var sb = new StringBuilder();
        foreach (string line in lines) sb.Append(line).Append('\n');
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(sb.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new InvalidOperationException($"Text for '{entry}' holds an unpaired surrogate and cannot be stored as UTF-8.", e);
        }
    }

    private static void AddEntry(ZipArchive zip, string name, byte[] content, CompressionLevel level)
    {
        var entry = zip.CreateEntry(name, level);
        entry.LastWriteTime = FixedTimestamp;
        using var s = entry.Open();
        s.Write(content);
    }
}
