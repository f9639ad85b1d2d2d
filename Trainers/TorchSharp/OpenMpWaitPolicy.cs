using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLComponents.TorchSharp;

/// <summary>
/// Makes libtorch's OpenMP threads sleep instead of spin while they wait. libtorch's CPU kernels, and the MKL inside
/// libtorch_cpu, run their parallel regions on the GNU OpenMP runtime it bundles (libgomp), which by default busy-waits
/// 300,000 spins at every barrier and between regions before it sleeps. When the machine's cores are busy with other
/// processes, the thread a region waits for is often not running while its partner burns its own time slice spinning:
/// a 2-thread training step of the TextClassification sample then takes 0.5-2 s instead of 20-50 ms (both threads
/// spinning most of it), and the slowdown comes and goes with the machine's load. OMP_WAIT_POLICY=PASSIVE (spin count 0)
/// removes that collapse. libgomp reads its policy once, from the native environment, when libtorch loads, and .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the native environment on Unix, so
/// this module's initialiser sets it with libc's setenv before anything in this assembly can load libtorch, and
/// <see cref="NativeRuntime"/> removes it again once libtorch is loaded (other OpenMP runtimes the process loads later
/// keep their own defaults). An application that sets OMP_WAIT_POLICY or GOMP_SPINCOUNT itself keeps its choice (e.g.
/// OMP_WAIT_POLICY=ACTIVE on a dedicated machine). Nothing is changed on Windows, or when the application loaded
/// libtorch before it first used this assembly.
/// </summary>
internal static unsafe class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";
    public const string SpinCountVariable = "GOMP_SPINCOUNT";
    public const string Passive = "PASSIVE";

    private static bool _set;

    /// <summary>True when this assembly set OMP_WAIT_POLICY (the application had set neither variable).</summary>
    public static bool Applied => _set;

    /// <summary>The policy to set given the application's values of OMP_WAIT_POLICY and GOMP_SPINCOUNT: PASSIVE when neither is set, else none.</summary>
    public static string? Choose(string? waitPolicy, string? spinCount) =>
        string.IsNullOrEmpty(waitPolicy) && string.IsNullOrEmpty(spinCount) ? Passive : null;

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "libgomp reads its wait policy only when libtorch loads; any type of this assembly may be the first to load it.")]
    internal static void Initialise()
    {
        try
        {
            // A value in either environment is the application's choice (on Unix, Environment.SetEnvironmentVariable changes only .NET's copy).
            if (OperatingSystem.IsWindows() || Choose(Get(Variable) ?? Environment.GetEnvironmentVariable(Variable),
                Get(SpinCountVariable) ?? Environment.GetEnvironmentVariable(SpinCountVariable)) is not { } policy)
            {
                return;
            }
            _set = NativeSet(Variable, policy);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or InvalidOperationException)
        {
            // No libc setenv to call: libgomp keeps its default.
        }
    }

    /// <summary>Called once libtorch is loaded: removes the variable this assembly set (libgomp has read it).</summary>
    public static void LibTorchLoaded()
    {
        if (_set)
        {
            _set = !NativeUnset(Variable);
        }
    }

    /// <summary>The native environment's value (what libgomp sees), or null.</summary>
    public static string? Get(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            return Environment.GetEnvironmentVariable(name);
        }
        var getenv = (delegate* unmanaged<byte*, byte*>)Export("getenv");
        byte[] key = Utf8(name);
        fixed (byte* k = key)
        {
            byte* value = getenv(k);
            return value is null ? null : Marshal.PtrToStringUTF8((IntPtr)value);
        }
    }

    private static bool NativeSet(string name, string value)
    {
        var setenv = (delegate* unmanaged<byte*, byte*, int, int>)Export("setenv");
        byte[] key = Utf8(name), text = Utf8(value);
        fixed (byte* k = key, v = text)
        {
            return setenv(k, v, 0) == 0;
        }
    }

    private static bool NativeUnset(string name)
    {
        var unsetenv = (delegate* unmanaged<byte*, int>)Export("unsetenv");
        byte[] key = Utf8(name);
        fixed (byte* k = key)
        {
            return unsetenv(k) == 0;
        }
    }

    // The host executable links libc, so its exports are found through the main program's handle (no library name to guess).
    private static IntPtr Export(string name) => NativeLibrary.GetExport(NativeLibrary.GetMainProgramHandle(), name);

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s + "\0");
}
