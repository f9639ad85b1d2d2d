using System.ComponentModel;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLComponents.MLNet;

/// <summary>
/// The loader ML.NET's catalog calls for one component type: ML.NET finds a static <c>Create(IHostEnvironment,
/// ModelLoadContext)</c> on the attribute's loader type, which here opens our stored entries and hands them to
/// <see cref="ILoadableComponent{TSelf}.Load"/>.
/// </summary>
/// <typeparam name="T">The component type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ComponentLoader<T> where T : class, ILoadableComponent<T>
{
    /// <summary>The component's signature (also for types that implement it explicitly).</summary>
    public static ComponentSignature Signature => T.Signature;

    /// <summary>Called by ML.NET's model loading (through reflection).</summary>
    public static T Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        var stored = ComponentStore.Open(ctx, T.Signature, typeof(T), ComponentLimits.Default);
        try
        {
            return T.Load(env, stored);
        }
        catch (ArgumentException e)
        {
            // Component constructors validate their options with ArgumentExceptions; from a file they mean a bad entry.
            throw stored.Fail(ComponentLoadContext.OptionsEntry, $"invalid stored options: {e.Message}", e);
        }
    }
}

internal static class ComponentLoaders
{
    public static Type LoaderType(Type componentType)
    {
        ArgumentNullException.ThrowIfNull(componentType);
        if (!componentType.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILoadableComponent<>)
                && i.GetGenericArguments()[0] == componentType))
            throw new InvalidOperationException($"{componentType.FullName} must implement ILoadableComponent<{componentType.Name}> to be a loadable component.");
        return typeof(ComponentLoader<>).MakeGenericType(componentType);
    }

    public static ComponentSignature Signature(Type componentType)
    {
        var property = LoaderType(componentType).GetProperty("Signature", BindingFlags.Public | BindingFlags.Static)!;
        var signature = (ComponentSignature)property.GetValue(null)!;
        signature.Validate(componentType);
        return signature;
    }
}
