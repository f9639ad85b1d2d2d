namespace MLComponents;

/// <summary>A model archive is malformed or unsafe. The message names the archive entry (or file) at fault.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException(string entry, string problem, Exception? inner = null)
        : base($"Model archive entry '{entry}': {problem}.", inner) => Entry = entry;

    private ModelFormatException(string entry, string message, Exception? inner, bool _)
        : base(message, inner) => Entry = entry;

    /// <summary>The archive entry (or file) at fault.</summary>
    public string Entry { get; }

    /// <summary>The archive as a whole is at fault (not a zip, truncated...); <paramref name="file"/> is its path or a stream description.</summary>
    internal static ModelFormatException ForFile(string file, string problem, Exception? inner = null) =>
        new(file, $"Model archive '{file}': {problem}.", inner, true);
}
