using TorchSharp;

namespace MLComponents.TorchSharp;

/// <summary>
/// Device strings of the TorchSharp backend ("cpu", "cuda", "cuda:N") checked against what libtorch offers, so asking for
/// a device that does not exist fails at once with its name instead of deep inside a training step.
/// </summary>
public static class TorchDevices
{
    /// <summary>
    /// The libtorch device for <paramref name="device"/> (case-insensitive; null or empty means "cpu"). Throws
    /// <see cref="ArgumentException"/> for a malformed name and <see cref="InvalidOperationException"/> naming the device
    /// when CUDA is not available (a CPU build of libtorch, no GPU, no driver) or the index is past the devices present.
    /// </summary>
    public static torch.Device Resolve(string? device)
    {
        string name = string.IsNullOrWhiteSpace(device) ? "cpu" : device.Trim().ToLowerInvariant();
        if (name == "cpu")
        {
            NativeRuntime.EnsureLoaded();
            return torch.CPU;
        }
        int index = 0;
        if (name != "cuda")
        {
            if (!name.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))
            {
                throw new ArgumentException($"Unknown device '{device}': use \"cpu\", \"cuda\" or \"cuda:N\".", nameof(device));
            }
        }
        NativeRuntime.EnsureLoaded();
        if (!torch.cuda.is_available())
        {
            throw new InvalidOperationException(
                $"Device '{device}' was asked for, but CUDA is not available: this process loaded a CPU build of libtorch, or no NVIDIA GPU and driver " +
                "is present. Reference a CUDA build of TorchSharp (e.g. TorchSharp-cuda-linux) instead of libtorch-cpu-linux-x64 and run on a machine with a GPU, or use \"cpu\".");
        }
        int count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new InvalidOperationException($"Device '{device}' was asked for, but only {count} CUDA device(s) exist (cuda:0..cuda:{count - 1}).");
        }
        return torch.device(DeviceType.CUDA, index);
    }

    /// <summary>The canonical name of a device ("cpu", "cuda:0").</summary>
    public static string Name(torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.type == DeviceType.CPU ? "cpu" : $"cuda:{Math.Max(0, device.index)}";
    }
}
