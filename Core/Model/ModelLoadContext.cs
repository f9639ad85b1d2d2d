using System.Text.Json.Nodes;

namespace MLComponents;

/// <summary>
/// What one component reads back from a model archive (the mirror of <see cref="ModelSaveContext"/>).
/// Every accessor checks presence, dtype and shape, and throws <see cref="ModelFormatException"/>
/// naming the archive entry at fault.
/// </summary>
public sealed class ModelLoadContext
{
    private readonly Dictionary<string, TensorData> _tensors;
    private readonly Dictionary<string, string[]> _texts;
    private readonly Dictionary<string, ModelLoadContext> _children;

    internal ModelLoadContext(string typeId, string entryPath, JsonObject options,
        Dictionary<string, TensorData> tensors, Dictionary<string, string[]> texts,
        Dictionary<string, ModelLoadContext> children, ComponentRegistry registry)
    {
        TypeId = typeId; EntryPath = entryPath; Options = options;
        _tensors = tensors; _texts = texts; _children = children; Registry = registry;
    }

    /// <summary>Type id from the manifest.</summary>
    public string TypeId { get; }

    /// <summary>Where in the archive this component lives (used in error messages).</summary>
    public string EntryPath { get; }

    /// <summary>The component's options.</summary>
    public JsonObject Options { get; }

    internal ComponentRegistry Registry { get; }

    /// <summary>Reads a required option, or throws naming the entry and option.</summary>
    public T GetOption<T>(string name)
    {
        if (!Options.TryGetPropertyValue(name, out var node) || node is null)
            throw new ModelFormatException(EntryPath, $"option '{name}' is missing");
        // Structured options (objects, arrays) come back as nodes; scalars convert through GetValue.
        if (node is T direct) return direct;
        try { return node.GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ModelFormatException(EntryPath, $"option '{name}' is not a {typeof(T).Name}", e);
        }
    }

    /// <summary>Reads an optional option, or <paramref name="fallback"/>.</summary>
    public T GetOptionOrDefault<T>(string name, T fallback) =>
        Options.TryGetPropertyValue(name, out var node) && node is not null ? GetOption<T>(name) : fallback;

    /// <summary>A float32 tensor; when <paramref name="expectedShape"/> is given it must match exactly.</summary>
    public float[] GetFloatTensor(string name, params int[] expectedShape)
    {
        var t = GetTensor(name, expectedShape);
        return t.Floats ?? throw new ModelFormatException(EntryPath, $"tensor '{name}' is int32, float32 expected");
    }

    /// <summary>An int32 tensor; when <paramref name="expectedShape"/> is given it must match exactly.</summary>
    public int[] GetIntTensor(string name, params int[] expectedShape)
    {
        var t = GetTensor(name, expectedShape);
        return t.Ints ?? throw new ModelFormatException(EntryPath, $"tensor '{name}' is float32, int32 expected");
    }

    /// <summary>The shape of a stored tensor.</summary>
    public int[] GetTensorShape(string name) => [.. GetTensor(name, []).Shape];

    /// <summary>Names of the stored tensors (ordinal order).</summary>
    public IReadOnlyList<string> TensorNames => [.. _tensors.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Names of the stored texts (ordinal order).</summary>
    public IReadOnlyList<string> TextNames => [.. _texts.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True when a text of that name is stored.</summary>
    public bool HasText(string name) => _texts.ContainsKey(name);

    /// <summary>True when a tensor of that name is stored.</summary>
    public bool HasTensor(string name) => _tensors.ContainsKey(name);

    /// <summary>A stored list of strings.</summary>
    public IReadOnlyList<string> GetText(string name) =>
        _texts.TryGetValue(name, out var t) ? t : throw new ModelFormatException(EntryPath, $"text '{name}' is missing");

    /// <summary>Loads a nested component through the registry.</summary>
    public T LoadComponent<T>(string name) where T : class
    {
        if (!_children.TryGetValue(name, out var child)) throw new ModelFormatException(EntryPath, $"component '{name}' is missing");
        var obj = Registry.Create(child);
        return obj as T ?? throw new ModelFormatException(child.EntryPath, $"component of type '{child.TypeId}' is not a {typeof(T).Name}");
    }

    /// <summary>Names of the nested components, in saved order.</summary>
    public IReadOnlyList<string> ComponentNames => [.. _children.Keys];

    private TensorData GetTensor(string name, int[] expectedShape)
    {
        if (!_tensors.TryGetValue(name, out var t)) throw new ModelFormatException(EntryPath, $"tensor '{name}' is missing");
        if (expectedShape.Length > 0 && !expectedShape.AsSpan().SequenceEqual(t.Shape))
            throw new ModelFormatException(EntryPath, $"tensor '{name}' has shape [{string.Join(",", t.Shape)}], expected [{string.Join(",", expectedShape)}]");
        return t;
    }
}
