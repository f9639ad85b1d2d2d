using Microsoft.ML.Runtime;

namespace MLComponents.MLNet;

/// <summary>
/// How one of our component types is identified inside an ML.NET model .zip: the loader signature ML.NET looks the
/// loader up by (unique, at most 24 characters), the 8-character model signature stamped on its stream, and the
/// format version written and still readable.
/// </summary>
/// <param name="LoaderSignature">Name ML.NET finds the loader by (case-insensitive; unique among all loadable classes).</param>
/// <param name="ModelSignature">8 ASCII characters checked when the component is read back.</param>
/// <param name="Version">Format version written (ML.NET's 0xMMMMmmmm convention).</param>
/// <param name="MinReadableVersion">Oldest stored version this code still reads.</param>
public sealed record ComponentSignature(string LoaderSignature, string ModelSignature, uint Version = 0x00010001, uint MinReadableVersion = 0x00010001)
{
    internal void Validate(Type componentType)
    {
        if (string.IsNullOrWhiteSpace(LoaderSignature) || LoaderSignature.Length > 24)
            throw new InvalidOperationException($"{componentType.Name}: loader signature '{LoaderSignature}' must have 1 to 24 characters.");
        if (ModelSignature is not { Length: 8 } || ModelSignature.Any(c => c is < ' ' or > '~'))
            throw new InvalidOperationException($"{componentType.Name}: model signature '{ModelSignature}' must be 8 printable ASCII characters.");
    }
}

/// <summary>
/// A component that ML.NET can load from a model .zip: its <see cref="Signature"/> and a <see cref="Load"/> that rebuilds
/// it from what its save wrote. Declare it on the assembly with <see cref="LoadableComponentAttribute"/>.
/// </summary>
/// <typeparam name="TSelf">The component type itself.</typeparam>
public interface ILoadableComponent<TSelf> where TSelf : class
{
    /// <summary>The component's identity in saved models.</summary>
    static abstract ComponentSignature Signature { get; }

    /// <summary>Rebuilds a saved component.</summary>
    /// <param name="env">The loading MLContext (as ML.NET's host environment).</param>
    /// <param name="ctx">What the component saved, already checked for length and CRC-32.</param>
    static abstract TSelf Load(IHostEnvironment env, ComponentLoadContext ctx);
}
