namespace MLComponents;

/// <summary>
/// Maps archive type ids to loaders. Only types declared with <see cref="ModelComponentAttribute"/> in
/// registered assemblies (MLComponents' own, plus any the user registers) can ever be created from a file.
/// </summary>
public sealed class ComponentRegistry
{
    // TODO(archive): implement: scan [ModelComponent] attributes of MLComponents.* assemblies (load them by
    // name when an id is unknown), RegisterAssembly for user components, Create(ModelLoadContext).
    internal object Create(ModelLoadContext ctx) => throw new NotImplementedException(ctx.TypeId);
}
