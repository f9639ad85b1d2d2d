namespace MLComponents;

public sealed partial class ModelOperationsCatalog
{
    private ModelArchiveLimits _archiveLimits = ModelArchiveLimits.Default;

    /// <summary>Caps enforced when loading model archives (entry count, uncompressed sizes, nesting).</summary>
    public ModelArchiveLimits ArchiveLimits
    {
        get => _archiveLimits;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _archiveLimits = value;
        }
    }

    /// <summary>
    /// Saves <paramref name="model"/> and the schema of the data it expects to a model archive (.zip).
    /// The file is written to a temporary file next to it and renamed, so the target is either the complete
    /// new model or, if anything fails, exactly what it was before.
    /// </summary>
    /// <param name="model">The fitted model (usually a transformer chain).</param>
    /// <param name="inputSchema">The schema of the model's input, e.g. <c>trainData.Schema</c>.</param>
    /// <param name="filePath">Where to write the archive.</param>
    public void Save(ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        AtomicFile.Write(filePath, stream => ModelArchiveWriter.Write(stream, model, inputSchema));
    }

    /// <summary>
    /// Saves <paramref name="model"/> and its input schema to <paramref name="stream"/> as a model archive.
    /// The model describes itself completely before anything is written; an I/O failure can still leave a
    /// partial archive in the stream, which the file overload avoids.
    /// </summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">The schema of the model's input.</param>
    /// <param name="stream">A writable stream; it is left open.</param>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        ModelArchiveWriter.Write(stream, model, inputSchema);
    }

    /// <summary>
    /// Loads a model archive. Only components registered in <see cref="MLContext.ComponentCatalog"/> can be
    /// created; malformed or unsafe archives fail with <see cref="ModelFormatException"/> naming the entry.
    /// </summary>
    /// <param name="filePath">The archive.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <returns>The model.</returns>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var stream = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ModelArchiveReader.Load(stream, filePath, Context.ComponentCatalog, ArchiveLimits, out inputSchema);
    }

    /// <summary>Loads a model archive from a stream (left open); see <see cref="Load(string, out DataViewSchema)"/>.</summary>
    /// <param name="stream">A readable stream positioned at the archive.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <returns>The model.</returns>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        return ModelArchiveReader.Load(stream, "stream", Context.ComponentCatalog, ArchiveLimits, out inputSchema);
    }
}
