namespace MLComponents;

/// <summary>
/// Replaces a file all at once: content goes to a temporary file in the same directory (same file system, so
/// the rename is atomic), is flushed to disk, then renamed over the target. On any failure the temporary file
/// is deleted and a previous file at the target is left exactly as it was.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ArgumentException($"'{full}' is a directory, not a file path.", nameof(path));
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{full}' has no directory.", nameof(path));
        // Hidden, unique and recognisable, so a crash leaves at worst an obviously stray file, never a half model.
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original failure is the one to report.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
