using System.Reflection;

namespace MLComponents;

/// <summary>
/// The components shipped in MLComponents' own assemblies. A user who only calls Load may not have touched
/// Transforms or Trainers yet, so an unknown id triggers loading those assemblies by their fixed names.
/// Only this fixed list is ever loaded: nothing read from a file chooses an assembly or a type.
/// </summary>
internal static class BuiltInComponents
{
    private static readonly string[] KnownAssemblies = ["MLComponents.Core", "MLComponents.Transforms", "MLComponents.Trainers"];

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, ComponentLoader> Loaders = new(StringComparer.Ordinal);
    private static readonly HashSet<string> Attempted = new(StringComparer.Ordinal);

    /// <summary>The loader of a built-in id, or null; may load the known assemblies not loaded yet.</summary>
    public static ComponentLoader? Find(string typeId, bool loadMissing)
    {
        lock (Gate)
        {
            if (Attempted.Count == 0) ScanLocked(onlyLoaded: true);
            if (Loaders.TryGetValue(typeId, out var loader)) return loader;
            if (!loadMissing || Attempted.Count == KnownAssemblies.Length) return null;
            ScanLocked(onlyLoaded: false);
            return Loaders.GetValueOrDefault(typeId);
        }
    }

    /// <summary>Makes sure every known assembly that can be loaded has been scanned.</summary>
    public static void LoadAll()
    {
        lock (Gate) ScanLocked(onlyLoaded: false);
    }

    private static void ScanLocked(bool onlyLoaded)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies();
        foreach (string name in KnownAssemblies)
        {
            if (Attempted.Contains(name)) continue;
            var assembly = loaded.FirstOrDefault(a => a.GetName().Name == name);
            if (assembly is null)
            {
                if (onlyLoaded) continue;
                assembly = TryLoad(name);
            }
            if (assembly is not null) AddAll(ComponentLoader.FromAssembly(assembly));
            // Marked only once scanned without error, so a broken registration fails every lookup, not just the first.
            Attempted.Add(name);
        }
    }

    private static void AddAll(List<ComponentLoader> loaders)
    {
        foreach (var loader in loaders)
            if (Loaders.TryGetValue(loader.TypeId, out var existing) && existing.ComponentType != loader.ComponentType)
                throw ComponentLoader.Clash(loader.TypeId, existing.ComponentType, loader.ComponentType);
        foreach (var loader in loaders) Loaders[loader.TypeId] = loader;
    }

    private static Assembly? TryLoad(string name)
    {
        try
        {
            return Assembly.Load(new AssemblyName(name));
        }
        catch (FileNotFoundException)
        {
            // An application may ship without Trainers (say); its ids are then simply unknown.
            return null;
        }
    }
}
