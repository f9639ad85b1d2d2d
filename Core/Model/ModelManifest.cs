using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLComponents;

/// <summary>
/// manifest.json: format name and version, the input schema and the component tree. Each component lists its
/// registered type id, its options and the archive entries holding its tensors and texts, then its children.
/// </summary>
internal static class ModelManifest
{
    public const string EntryName = "manifest.json";
    public const string FormatName = "MLComponents.Model";
    public const int FormatVersion = 1;
    public const string RootPath = "model";

    // Relaxed escaping keeps non-ASCII option values readable; the manifest is never embedded in HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One component as the manifest describes it. <see cref="Path"/> is derived from names, never read from the file.</summary>
    public sealed class Component(string path, string typeId, JsonObject options)
    {
        public string Path { get; } = path;
        public string TypeId { get; } = typeId;
        public JsonObject Options { get; } = options;
        public string? TensorsEntry { get; set; }
        public List<KeyValuePair<string, string>> TextEntries { get; } = [];
        public List<KeyValuePair<string, Component>> Children { get; } = [];
    }

    /// <summary>Where a component's tensors go.</summary>
    public static string TensorsEntryOf(string componentPath) => $"{componentPath}/tensors.safetensors";

    /// <summary>Where a component's text goes.</summary>
    public static string TextEntryOf(string componentPath, string name) => $"{componentPath}/texts/{name}.txt";

    /// <summary>Where a child component lives.</summary>
    public static string ChildPath(string parentPath, string name) => $"{parentPath}/components/{name}";

    public static byte[] Write(DataViewSchema inputSchema, Component root)
    {
        var doc = new JsonObject
        {
            ["format"] = FormatName,
            ["formatVersion"] = FormatVersion,
            ["inputSchema"] = SchemaJson.Write(inputSchema),
            ["model"] = WriteComponent(root),
        };
        return JsonSerializer.SerializeToUtf8Bytes(doc, Indented);
    }

    private static JsonObject WriteComponent(Component c)
    {
        var o = new JsonObject
        {
            ["typeId"] = c.TypeId,
            // Deep copy: the options object belongs to the component's save context.
            ["options"] = c.Options.DeepClone(),
        };
        if (c.TensorsEntry is not null) o["tensors"] = c.TensorsEntry;
        if (c.TextEntries.Count > 0)
        {
            var texts = new JsonObject();
            foreach (var (name, entry) in c.TextEntries) texts[name] = entry;
            o["texts"] = texts;
        }
        if (c.Children.Count > 0)
        {
            var children = new JsonArray();
            foreach (var (name, child) in c.Children)
            {
                var co = WriteComponent(child);
                co.Insert(0, "name", name);
                children.Add(co);
            }
            o["components"] = children;
        }
        return o;
    }

    public static (DataViewSchema InputSchema, Component Root) Read(ReadOnlySpan<byte> bytes, ModelArchiveLimits limits)
    {
        string text;
        try
        {
            // JsonDocument checks UTF-8 inside strings only when they are read; decode strictly up front instead.
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelFormatException(EntryName, "not valid UTF-8", e);
        }
        JsonDocument doc;
        try
        {
            // Each nesting level of components costs two JSON levels; options get some room of their own.
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 2 * limits.MaxComponentDepth + 64 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(EntryName, $"not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException(EntryName, "the manifest is not a JSON object");
            Json.CheckNoDuplicateKeys(root, EntryName);
            string format = Json.RequiredString(root, "format", EntryName, "manifest");
            if (format != FormatName) throw new ModelFormatException(EntryName, $"format '{format}' is not '{FormatName}'");
            int version = Json.RequiredInt32(root, "formatVersion", EntryName, "manifest");
            if (version > FormatVersion)
                throw new ModelFormatException(EntryName, $"format version {version} is newer than this library reads ({FormatVersion}); upgrade MLComponents");
            if (version < 1) throw new ModelFormatException(EntryName, $"format version {version} is not valid");
            var schema = SchemaJson.Read(Json.Required(root, "inputSchema", EntryName, "manifest"), EntryName);
            var model = ReadComponent(Json.Required(root, "model", EntryName, "manifest"), RootPath, 1, limits.MaxComponentDepth);
            return (schema, model);
        }
    }

    private static Component ReadComponent(JsonElement e, string path, int depth, int maxDepth)
    {
        string at = $"component '{path}'";
        if (depth > maxDepth) throw new ModelFormatException(EntryName, $"{at} is nested deeper than the limit of {maxDepth} components");
        if (e.ValueKind != JsonValueKind.Object) throw new ModelFormatException(EntryName, $"{at} is not an object");
        string typeId = Json.RequiredString(e, "typeId", EntryName, at);
        if (string.IsNullOrWhiteSpace(typeId)) throw new ModelFormatException(EntryName, $"{at} has an empty typeId");
        var optionsElement = Json.Required(e, "options", EntryName, at);
        if (optionsElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException(EntryName, $"{at}: options is not an object");
        var c = new Component(path, typeId, JsonObject.Create(optionsElement.Clone())!);
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "typeId" or "options" or "name":
                    break;
                case "tensors":
                    c.TensorsEntry = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()
                        : throw new ModelFormatException(EntryName, $"{at}: tensors is not an entry name");
                    break;
                case "texts":
                    if (p.Value.ValueKind != JsonValueKind.Object) throw new ModelFormatException(EntryName, $"{at}: texts is not an object");
                    foreach (var t in p.Value.EnumerateObject())
                    {
                        CheckName(t.Name, at, "text");
                        c.TextEntries.Add(new(t.Name, t.Value.ValueKind == JsonValueKind.String ? t.Value.GetString()!
                            : throw new ModelFormatException(EntryName, $"{at}: text '{t.Name}' is not an entry name")));
                    }
                    break;
                case "components":
                    if (p.Value.ValueKind != JsonValueKind.Array) throw new ModelFormatException(EntryName, $"{at}: components is not an array");
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var child in p.Value.EnumerateArray())
                    {
                        if (child.ValueKind != JsonValueKind.Object) throw new ModelFormatException(EntryName, $"{at}: a child component is not an object");
                        string name = Json.RequiredString(child, "name", EntryName, $"{at} child");
                        CheckName(name, at, "component");
                        if (!names.Add(name)) throw new ModelFormatException(EntryName, $"{at} has two child components named '{name}'");
                        c.Children.Add(new(name, ReadComponent(child, ChildPath(path, name), depth + 1, maxDepth)));
                    }
                    break;
                default:
                    throw new ModelFormatException(EntryName, $"{at} has an unknown field '{p.Name}'");
            }
        }
        return c;
    }

    private static void CheckName(string name, string at, string what)
    {
        try
        {
            ModelSaveContext.ValidateName(name);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(EntryName, $"{at}: {what} name '{name}' is invalid", e);
        }
    }
}
