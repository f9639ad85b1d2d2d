using System.Reflection;

namespace MLComponents;

/// <summary>
/// Maps archive type ids to loaders. Only types declared with <see cref="ModelComponentAttribute"/> in
/// registered assemblies (MLComponents' own, plus any the user registers) can ever be created from a file:
/// a type id read from an archive is only a key into this table, never a CLR type name.
/// </summary>
/// <remarks>
/// Each <see cref="MLContext"/> has its own registry, seeded with the built-in components of
/// MLComponents.Core, MLComponents.Transforms and MLComponents.Trainers. Register your own components with
/// <see cref="RegisterAssembly"/>.
/// </remarks>
public sealed class ComponentRegistry
{
    private readonly Dictionary<string, ComponentLoader> _user = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Creates a registry that knows the built-in components (and nothing else yet).</summary>
    public ComponentRegistry() { }

    /// <summary>
    /// Registers every <see cref="ModelComponentAttribute"/> of <paramref name="assembly"/>. Registering the same
    /// assembly again is harmless; an id already bound to a different type is an error.
    /// </summary>
    /// <exception cref="ArgumentException">A declared type has no valid <c>public static Load(ModelLoadContext)</c>,
    /// or an id is already registered for another type.</exception>
    public void RegisterAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var loaders = ComponentLoader.FromAssembly(assembly);
        // Built-ins must be complete before checking for clashes, or a later lazy load could shadow a user id.
        BuiltInComponents.LoadAll();
        lock (_lock)
        {
            foreach (var loader in loaders)
            {
                var existing = FindLocked(loader.TypeId, loadMissingBuiltIns: false);
                if (existing is not null && existing.ComponentType != loader.ComponentType)
                    throw ComponentLoader.Clash(loader.TypeId, existing.ComponentType, loader.ComponentType);
            }
            foreach (var loader in loaders) _user.TryAdd(loader.TypeId, loader);
        }
    }

    /// <summary>True when <paramref name="typeId"/> can be loaded (loading the built-in assemblies if needed).</summary>
    public bool IsRegistered(string typeId)
    {
        ArgumentNullException.ThrowIfNull(typeId);
        lock (_lock) return FindLocked(typeId, loadMissingBuiltIns: true) is not null;
    }

    /// <summary>The CLR type registered for <paramref name="typeId"/>, or null.</summary>
    public Type? GetComponentType(string typeId)
    {
        ArgumentNullException.ThrowIfNull(typeId);
        lock (_lock) return FindLocked(typeId, loadMissingBuiltIns: true)?.ComponentType;
    }

    /// <summary>Rebuilds the component described by <paramref name="ctx"/> through its registered Load method.</summary>
    internal object Create(ModelLoadContext ctx)
    {
        ComponentLoader? loader;
        lock (_lock) loader = FindLocked(ctx.TypeId, loadMissingBuiltIns: true);
        if (loader is null)
            throw new ModelFormatException(ctx.EntryPath,
                $"unknown component type id '{ctx.TypeId}' (not a built-in component; user components must be registered " +
                "with MLContext.ComponentCatalog.RegisterAssembly before loading)");
        return loader.Invoke(ctx);
    }

    private ComponentLoader? FindLocked(string typeId, bool loadMissingBuiltIns) =>
        _user.TryGetValue(typeId, out var loader) ? loader : BuiltInComponents.Find(typeId, loadMissingBuiltIns);
}
