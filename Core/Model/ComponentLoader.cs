using System.Reflection;

namespace MLComponents;

/// <summary>One registered component: its archive id, its type and a delegate to its static Load method.</summary>
internal sealed class ComponentLoader
{
    private readonly Func<ModelLoadContext, object> _load;

    private ComponentLoader(string typeId, Type componentType, Func<ModelLoadContext, object> load)
    {
        TypeId = typeId; ComponentType = componentType; _load = load;
    }

    public string TypeId { get; }
    public Type ComponentType { get; }

    /// <summary>Runs the Load method; any failure inside it becomes a <see cref="ModelFormatException"/> naming the component.</summary>
    public object Invoke(ModelLoadContext ctx)
    {
        object? result;
        try
        {
            result = _load(ctx);
        }
        catch (Exception e) when (e is not ModelFormatException and not OutOfMemoryException)
        {
            // Components validate their options in constructors (ArgumentException etc.); from a file that is a
            // format problem, and the caller should see which component it was.
            throw new ModelFormatException(ctx.EntryPath, $"component '{ctx.TypeId}' could not be loaded: {e.Message}", e);
        }
        return result ?? throw new ModelFormatException(ctx.EntryPath, $"component '{ctx.TypeId}': Load returned null");
    }

    /// <summary>Reads and validates the <see cref="ModelComponentAttribute"/>s of an assembly.</summary>
    public static List<ComponentLoader> FromAssembly(Assembly assembly)
    {
        var result = new List<ComponentLoader>();
        var seen = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var attr in assembly.GetCustomAttributes<ModelComponentAttribute>())
        {
            string id = attr.ComponentTypeId;
            var type = attr.ComponentType;
            if (string.IsNullOrWhiteSpace(id))
                throw new ArgumentException($"Assembly '{assembly.GetName().Name}' declares a [ModelComponent] with an empty type id (type {type?.FullName}).");
            if (type is null)
                throw new ArgumentException($"Assembly '{assembly.GetName().Name}' declares [ModelComponent(\"{id}\")] without a type.");
            if (seen.TryGetValue(id, out var other))
            {
                if (other != type) throw Clash(id, other, type);
                continue;
            }
            seen.Add(id, type);
            result.Add(new ComponentLoader(id, type, BindLoad(id, type)));
        }
        return result;
    }

    public static ArgumentException Clash(string typeId, Type first, Type second) =>
        new($"Component type id '{typeId}' is registered for both {first.FullName} ({first.Assembly.GetName().Name}) " +
            $"and {second.FullName} ({second.Assembly.GetName().Name}); type ids must be unique.");

    private static Func<ModelLoadContext, object> BindLoad(string id, Type type)
    {
        string where = $"[ModelComponent(\"{id}\", typeof({type.FullName}))]";
        if (type.ContainsGenericParameters)
            throw new ArgumentException($"{where}: an open generic type cannot be loaded.");
        var method = type.GetMethod("Load", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly,
            [typeof(ModelLoadContext)]);
        if (method is null)
            throw new ArgumentException($"{where}: the type needs a 'public static Load(ModelLoadContext ctx)' method.");
        var ret = method.ReturnType;
        if (ret == typeof(void) || ret.IsValueType || !(ret.IsAssignableFrom(type) || type.IsAssignableFrom(ret)))
            throw new ArgumentException($"{where}: Load must return the component (a reference type compatible with {type.Name}), not {ret.Name}.");
        // Reference-type return covariance lets one delegate type bind every Load without reflection at call time.
        return method.CreateDelegate<Func<ModelLoadContext, object>>();
    }
}
