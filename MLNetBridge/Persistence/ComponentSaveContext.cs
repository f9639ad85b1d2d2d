using System.Text.Json.Nodes;

namespace MLComponents;

/// <summary>
/// What one of our components writes when ML.NET saves a model: options as JSON, named float32/int32 tensors (stored
/// together as one safetensors blob) and named lists of strings (vocabularies, label values), each stored as its own
/// entry in the component's folder of the model .zip. Components never touch the .zip or ML.NET's save context.
/// </summary>
public sealed class ComponentSaveContext
{
    internal ComponentSaveContext() { }

    /// <summary>Options and small scalars; must be plain JSON data.</summary>
    public JsonObject Options { get; } = [];

    internal Dictionary<string, TensorData> Tensors { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, string[]> Texts { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, byte[]> Blobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Stores a float32 tensor (copied).</summary>
    public void AddTensor(string name, ReadOnlySpan<float> data, params int[] shape) =>
        AddTensorCore(name, TensorData.FromFloats(data, shape));

    /// <summary>Stores an int32 tensor (copied).</summary>
    public void AddTensor(string name, ReadOnlySpan<int> data, params int[] shape) =>
        AddTensorCore(name, TensorData.FromInts(data, shape));

    /// <summary>Stores a list of strings (one per line; strings must not contain line breaks).</summary>
    public void AddText(string name, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ValidateName(name);
        var arr = lines.ToArray();
        for (int i = 0; i < arr.Length; i++)
        {
            if (arr[i] is null || arr[i].AsSpan().IndexOfAny('\n', '\r') >= 0)
                throw new ArgumentException($"Text '{name}' entry {i} is null or contains a line break.", nameof(lines));
        }
        if (!Texts.TryAdd(name, arr)) throw new ArgumentException($"Text '{name}' was already added.", nameof(name));
    }

    /// <summary>Stores raw bytes (copied), e.g. a tokenizer's vocabulary file exactly as it was read.</summary>
    public void AddBlob(string name, ReadOnlySpan<byte> bytes)
    {
        ValidateName(name);
        if (!Blobs.TryAdd(name, bytes.ToArray())) throw new ArgumentException($"Blob '{name}' was already added.", nameof(name));
    }

    private void AddTensorCore(string name, TensorData t)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!Tensors.TryAdd(name, t)) throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
    }

    /// <summary>Text names become entry names inside the .zip: a plain name, no paths.</summary>
    internal static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 64) throw new ArgumentException($"Name '{name}' is longer than 64 characters.", nameof(name));
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                throw new ArgumentException($"Name '{name}' may only use ASCII letters, digits, '_' and '-'.", nameof(name));
        }
    }
}
