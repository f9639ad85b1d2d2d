namespace MLComponents;

/// <summary>
/// A saved model is malformed, corrupt or unsafe to load. The message names where: the model file and its .zip entry, or one of
/// our components (and its place in the .zip) and the stored entry at fault (options, weights, a vocabulary).
/// </summary>
public sealed class ModelFormatException : FormatException
{
    /// <summary>A problem in one of our saved components.</summary>
    /// <param name="component">The component and its place, e.g. <c>EmbedTokensTransformer at 'TransformerChain/Transform_001'</c>.</param>
    /// <param name="entry">The stored entry at fault (e.g. <c>weights.safetensors</c>), or null for the component as a whole.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public ModelFormatException(string component, string? entry, string problem, Exception? inner = null)
        : this($"Saved component {component}", component, entry, problem, inner)
    {
    }

    private ModelFormatException(string where, string source, string? entry, string problem, Exception? inner)
        : base(entry is null ? $"{where}: {problem}." : $"{where}, entry '{entry}': {problem}.", inner)
    {
        Component = source;
        Entry = entry;
    }

    /// <summary>The component (with its place in the model) or the model file at fault.</summary>
    public string Component { get; }

    /// <summary>The stored entry at fault, or null.</summary>
    public string? Entry { get; }

    /// <summary>A problem with a model file as a whole, or with one of its .zip entries.</summary>
    internal static ModelFormatException ForFile(string file, string? entry, string problem, Exception? inner = null) =>
        new($"Model file '{file}'", file, entry, problem, inner);
}
