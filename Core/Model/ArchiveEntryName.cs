namespace MLComponents;

/// <summary>
/// Rules for zip entry names. We never extract to disk, but names are still checked as if we did, so an
/// archive that would be unsafe for any other tool (zip-slip) is refused before anything is read.
/// </summary>
internal static class ArchiveEntryName
{
    public const int MaxLength = 1024;

    /// <summary>Null when <paramref name="name"/> is acceptable, else why not.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0) return "the entry name is empty";
        if (name.Length > MaxLength) return $"the entry name is longer than {MaxLength} characters";
        if (name.Contains('\\')) return "the entry name contains a backslash";
        if (name.Contains(':')) return "the entry name contains ':' (a drive letter or stream name)";
        if (name[0] == '/') return "the entry name is an absolute path";
        foreach (char c in name)
            if (char.IsControl(c)) return "the entry name contains a control character";
        var segments = name.Split('/');
        // A trailing '/' marks a directory entry; every other segment must be a real name.
        int last = name.EndsWith('/') ? segments.Length - 1 : segments.Length;
        for (int i = 0; i < last; i++)
        {
            if (segments[i].Length == 0) return "the entry name has an empty path segment";
            if (segments[i] is "." or "..") return $"the entry name has a '{segments[i]}' path segment";
        }
        return null;
    }

    /// <summary>True for a directory entry ("a/b/"), which holds no data.</summary>
    public static bool IsDirectory(string name) => name.EndsWith('/');
}
