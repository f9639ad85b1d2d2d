using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLComponents;

/// <summary>
/// What one of our components reads back when ML.NET loads a model (the mirror of <see cref="ComponentSaveContext"/>).
/// Every stored entry has already been checked against the length and CRC-32 recorded when it was saved; every
/// accessor checks presence, type and shape and throws <see cref="ModelFormatException"/> naming the component and
/// the entry at fault.
/// </summary>
public sealed class ComponentLoadContext
{
    /// <summary>The entry holding a component's options.</summary>
    public const string OptionsEntry = "options.json";

    /// <summary>The entry holding a component's tensors.</summary>
    public const string WeightsEntry = "weights.safetensors";

    internal const string TextSuffix = ".txt";
    internal const string BlobSuffix = ".bin";

    private readonly Func<string, byte[]?> _readEntry;
    private readonly IReadOnlySet<string> _entryNames;
    private readonly ComponentLimits _limits;
    private Dictionary<string, TensorData>? _tensors;
    private readonly Dictionary<string, string[]> _texts = new(StringComparer.Ordinal);

    internal ComponentLoadContext(string component, IReadOnlySet<string> entryNames, Func<string, byte[]?> readEntry, ComponentLimits limits)
    {
        Component = component;
        _entryNames = entryNames;
        _readEntry = readEntry;
        _limits = limits;
        Options = ReadOptions();
    }

    /// <summary>The component being loaded and its place in the model .zip (for messages).</summary>
    public string Component { get; }

    /// <summary>The component's options.</summary>
    public JsonObject Options { get; }

    /// <summary>A failure naming this component and <paramref name="entry"/> (null: the component as a whole).</summary>
    public ModelFormatException Fail(string? entry, string problem, Exception? inner = null) => new(Component, entry, problem, inner);

    /// <summary>Reads a required option, or throws naming the component and option.</summary>
    public T GetOption<T>(string name)
    {
        if (!Options.TryGetPropertyValue(name, out var node) || node is null)
            throw Fail(OptionsEntry, $"option '{name}' is missing");
        // Structured options (objects, arrays) come back as nodes; scalars convert through GetValue.
        if (node is T direct) return direct;
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw Fail(OptionsEntry, $"option '{name}' is not a {typeof(T).Name} ({node.ToJsonString()})", e);
        }
    }

    /// <summary>Reads an optional option, or <paramref name="fallback"/>.</summary>
    public T GetOptionOrDefault<T>(string name, T fallback) =>
        Options.TryGetPropertyValue(name, out var node) && node is not null ? GetOption<T>(name) : fallback;

    /// <summary>A float32 tensor of finite values; when <paramref name="expectedShape"/> is given it must match exactly.</summary>
    public float[] GetFloatTensor(string name, params int[] expectedShape)
    {
        var values = GetTensor(name, expectedShape).Floats ?? throw Fail(WeightsEntry, $"tensor '{name}' is int32, float32 expected");
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) throw Fail(WeightsEntry, $"tensor '{name}' holds {values[i]} at index {i}; weights must be finite");
        }
        return values;
    }

    /// <summary>An int32 tensor; when <paramref name="expectedShape"/> is given it must match exactly.</summary>
    public int[] GetIntTensor(string name, params int[] expectedShape) =>
        GetTensor(name, expectedShape).Ints ?? throw Fail(WeightsEntry, $"tensor '{name}' is float32, int32 expected");

    /// <summary>The shape of a stored tensor.</summary>
    public int[] GetTensorShape(string name) => [.. GetTensor(name, []).Shape];

    /// <summary>Names of the stored tensors (ordinal order).</summary>
    public IReadOnlyList<string> TensorNames => [.. Tensors.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True when a tensor of that name is stored.</summary>
    public bool HasTensor(string name) => Tensors.ContainsKey(name);

    /// <summary>True when a text of that name is stored.</summary>
    public bool HasText(string name) => _entryNames.Contains(name + TextSuffix);

    /// <summary>A stored list of strings.</summary>
    public IReadOnlyList<string> GetText(string name)
    {
        if (_texts.TryGetValue(name, out var cached)) return cached;
        string entry = name + TextSuffix;
        var bytes = _readEntry(entry) ?? throw Fail(entry, "the entry is missing");
        var lines = StoredText.Decode(bytes, this, entry);
        _texts[name] = lines;
        return lines;
    }

    /// <summary>True when a blob of that name is stored.</summary>
    public bool HasBlob(string name) => _entryNames.Contains(name + BlobSuffix);

    /// <summary>Stored raw bytes.</summary>
    public byte[] GetBlob(string name)
    {
        string entry = name + BlobSuffix;
        return _readEntry(entry) ?? throw Fail(entry, "the entry is missing");
    }

    private Dictionary<string, TensorData> Tensors => _tensors ??= ReadTensors();

    private Dictionary<string, TensorData> ReadTensors()
    {
        var bytes = _readEntry(WeightsEntry);
        return bytes is null ? new(StringComparer.Ordinal) : SafeTensorsFormat.Read(bytes, Component, WeightsEntry, _limits.MaxTensorHeaderBytes);
    }

    private TensorData GetTensor(string name, int[] expectedShape)
    {
        if (!Tensors.TryGetValue(name, out var t)) throw Fail(WeightsEntry, $"tensor '{name}' is missing");
        if (expectedShape.Length > 0 && !expectedShape.AsSpan().SequenceEqual(t.Shape))
            throw Fail(WeightsEntry, $"tensor '{name}' has shape [{string.Join(",", t.Shape)}], expected [{string.Join(",", expectedShape)}]");
        return t;
    }

    private JsonObject ReadOptions()
    {
        var bytes = _readEntry(OptionsEntry) ?? throw Fail(OptionsEntry, "the entry is missing");
        JsonNode? node;
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = _limits.MaxJsonDepth });
            CheckNoDuplicateKeys(doc.RootElement, "$");
            node = JsonNode.Parse(doc.RootElement.GetRawText(), documentOptions: new JsonDocumentOptions { MaxDepth = _limits.MaxJsonDepth });
        }
        catch (JsonException e)
        {
            throw Fail(OptionsEntry, $"not valid JSON ({e.Message})", e);
        }
        return node as JsonObject ?? throw Fail(OptionsEntry, "not a JSON object");
    }

    /// <summary>JsonDocument keeps duplicate keys and lookups silently pick one; options that say two things are refused.</summary>
    private void CheckNoDuplicateKeys(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    if (!seen.Add(p.Name)) throw Fail(OptionsEntry, $"the JSON object at {path} has the key '{p.Name}' twice");
                    CheckNoDuplicateKeys(p.Value, $"{path}.{p.Name}");
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) CheckNoDuplicateKeys(item, $"{path}[{i++}]");
                break;
        }
    }
}
