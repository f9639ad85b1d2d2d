using System.Text.Json.Nodes;

namespace MLComponents;

/// <summary>
/// What one component writes into a model archive: JSON options, named float/int tensors
/// (stored as safetensors), named text lists (e.g. vocabularies) and nested child components.
/// Components never touch the archive file itself.
/// </summary>
public sealed class ModelSaveContext
{
    internal ModelSaveContext(string typeId) => TypeId = typeId;

    /// <summary>Type id of the component being saved.</summary>
    public string TypeId { get; }

    /// <summary>Options and small scalars; must be plain JSON data.</summary>
    public JsonObject Options { get; } = [];

    internal Dictionary<string, TensorData> Tensors { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, string[]> Texts { get; } = new(StringComparer.Ordinal);
    internal List<(string Name, ModelSaveContext Context)> Children { get; } = [];

    /// <summary>Stores a float32 tensor (copied).</summary>
    public void AddTensor(string name, ReadOnlySpan<float> data, params int[] shape) =>
        AddTensorCore(name, TensorData.FromFloats(data, shape));

    /// <summary>Stores an int32 tensor (copied).</summary>
    public void AddTensor(string name, ReadOnlySpan<int> data, params int[] shape) =>
        AddTensorCore(name, TensorData.FromInts(data, shape));

    /// <summary>Stores a list of strings (one per line; strings must not contain line breaks).</summary>
    public void AddText(string name, IEnumerable<string> lines)
    {
        ValidateName(name);
        var arr = lines.ToArray();
        for (int i = 0; i < arr.Length; i++)
            if (arr[i] is null || arr[i].AsSpan().IndexOfAny('\n', '\r') >= 0)
                throw new ArgumentException($"Text '{name}' entry {i} is null or contains a line break.", nameof(lines));
        if (!Texts.TryAdd(name, arr)) throw new ArgumentException($"Text '{name}' was already added.", nameof(name));
    }

    /// <summary>Saves a nested component (e.g. each step of a chain) under a name.</summary>
    public void AddComponent(string name, ICanSaveModel component)
    {
        ValidateName(name);
        if (Children.Any(c => c.Name == name)) throw new ArgumentException($"Component '{name}' was already added.", nameof(name));
        var child = new ModelSaveContext(component.ComponentTypeId);
        component.Save(child);
        Children.Add((name, child));
    }

    private void AddTensorCore(string name, TensorData t)
    {
        ValidateName(name);
        if (!Tensors.TryAdd(name, t)) throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
    }

    internal static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                throw new ArgumentException($"Name '{name}' may only use ASCII letters, digits, '_', '-' and '.'.", nameof(name));
        // Names become archive path segments, where "." and ".." would mean something else.
        if (name.AsSpan().Trim('.').IsEmpty)
            throw new ArgumentException($"Name '{name}' must contain a character other than '.'.", nameof(name));
    }
}
