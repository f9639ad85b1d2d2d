namespace MLComponents.Benchmarks;

/// <summary>Finds the repository root (the folder holding MLComponents.sln) and the PyTorch peer script beside it.</summary>
internal static class RepoPaths
{
    /// <summary>The repository root, searched upwards from the working directory and then from the binary.</summary>
    public static string? Root()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MLComponents.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>../shared/bench/torch_ref.py relative to the repository root (the layout of a clean clone).</summary>
    public static string TorchScript(string? root) =>
        Path.GetFullPath(Path.Combine(root ?? Directory.GetCurrentDirectory(), "..", "shared", "bench", "torch_ref.py"));
}
