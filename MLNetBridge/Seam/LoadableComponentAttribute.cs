using Microsoft.ML;

namespace MLComponents.MLNet;

/// <summary>
/// Registers one of our components with ML.NET's component catalog, exactly as ML.NET's own
/// <c>[assembly: LoadableClass(...)]</c> does (this attribute derives from the same internal base, which the catalog
/// scans for), so <c>mlContext.Model.Load</c> finds the component in any process without a registration call.
/// Put it on the assembly that defines the component: <c>[assembly: LoadableComponent(typeof(MyTransformer))]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class LoadableComponentAttribute : LoadableClassAttributeBase
{
    /// <summary>Registers <paramref name="componentType"/>, which must implement <see cref="ILoadableComponent{TSelf}"/> for itself.</summary>
    public LoadableComponentAttribute(Type componentType)
        : base(null, componentType, ComponentLoaders.LoaderType(componentType), null, [typeof(SignatureLoadModel)],
            ComponentLoaders.Signature(componentType).LoaderSignature, ComponentLoaders.Signature(componentType).LoaderSignature)
    {
        ComponentType = componentType;
    }

    /// <summary>The registered component type.</summary>
    public Type ComponentType { get; }
}
