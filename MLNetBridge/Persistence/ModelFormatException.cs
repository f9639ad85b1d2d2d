namespace MLComponents;

/// <summary>
/// A saved component is malformed, corrupt or unsafe to load. The message names the component, where it sits in the
/// model .zip, and the stored entry (options, weights, a vocabulary) at fault.
/// </summary>
public sealed class ModelFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="component">The component and its place, e.g. <c>EmbedTokens at 'TransformerChain/Transformer1'</c>.</param>
    /// <param name="entry">The stored entry at fault (e.g. <c>weights.safetensors</c>), or null for the component as a whole.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public ModelFormatException(string component, string? entry, string problem, Exception? inner = null)
        : base(entry is null ? $"Saved component {component}: {problem}." : $"Saved component {component}, entry '{entry}': {problem}.", inner)
    {
        Component = component;
        Entry = entry;
    }

    /// <summary>The component at fault, with its place in the model.</summary>
    public string Component { get; }

    /// <summary>The stored entry at fault, or null.</summary>
    public string? Entry { get; }
}
