using System.Runtime.InteropServices;
using TorchSharp;
using MLComponents.TorchSharp.Build;

namespace MLComponents.TorchSharp;

/// <summary>
/// Loads libtorch once and turns a failure into an error that says what to do. On Debian 12 the usual cause is a
/// libLibTorchSharp.so copy that the build did not patch (it asks libstdc++ for GLIBCXX_3.4.32): the message says so
/// when the copy next to the application still carries the strong requirement.
/// </summary>
internal static class NativeRuntime
{
    private static readonly Lazy<Exception?> Failure = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureLoaded()
    {
        if (Failure.Value is { } e)
        {
            throw new InvalidOperationException(Explain(e), e);
        }
    }

    private static Exception? Load()
    {
        try
        {
            // Any use of torch runs its static initialiser, which loads the natives (and throws when it cannot).
            _ = torch.get_num_threads();
            OpenMpWaitPolicy.LibTorchLoaded();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or InvalidOperationException)
        {
            return e;
        }
    }

    private static string Explain(Exception e)
    {
        string message = $"The TorchSharp backend could not load libtorch ({Innermost(e).Message.Split('\n')[0].Trim()}).";
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return message;
        }
        foreach (string copy in Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            try
            {
                var finding = ElfWeakVersion.Inspect(File.ReadAllBytes(copy), "libstdc++.so.6", "GLIBCXX_3.4.32");
                if (finding.FlagsOffset >= 0 && !finding.IsWeak)
                {
                    return message + $" {copy} still requires GLIBCXX_3.4.32, which this system's libstdc++ may lack: build the application with " +
                        "MLComponents.Trainers.TorchSharp.targets imported (the package does this itself; in this repository Directory.Build.targets does) so the output copy is patched.";
                }
            }
            catch (Exception inspect) when (inspect is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // Not readable or not ELF: nothing to add.
            }
        }
        return message + " Check that the application references libtorch-cpu-linux-x64 (or a CUDA build) next to TorchSharp.";
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
