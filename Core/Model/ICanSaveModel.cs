namespace MLComponents;

/// <summary>
/// A component that can be written to a model archive. The archive stores <see cref="ComponentTypeId"/>
/// and the data the component put into its <see cref="ModelSaveContext"/>; loading looks the id up in
/// the <see cref="ComponentRegistry"/> (never a CLR type name from the file).
/// </summary>
public interface ICanSaveModel
{
    /// <summary>The registered type id written to the manifest (e.g. "MapValueToKey").</summary>
    string ComponentTypeId { get; }

    /// <summary>Writes options, tensors, texts and child components.</summary>
    void Save(ModelSaveContext ctx);
}

/// <summary>
/// Registers a loadable component: <paramref name="componentType"/> must have a public static method
/// <c>Load(ModelLoadContext ctx)</c> returning the component. Put it on the assembly that defines the type.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ModelComponentAttribute(string typeId, Type componentType) : Attribute
{
    /// <summary>The id stored in archives.</summary>
    public string ComponentTypeId { get; } = typeId;

    /// <summary>The type whose static Load(ModelLoadContext) rebuilds the component.</summary>
    public Type ComponentType { get; } = componentType;
}
