using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLComponents.MLNet;

/// <summary>The MLContext behind one of ML.NET's catalogs (ML.NET keeps the accessor internal).</summary>
public static class CatalogEnvironment
{
    /// <summary>The host environment of <paramref name="catalog"/> (any of MLContext's catalogs).</summary>
    public static IHostEnvironment Of(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog is IInternalCatalog c ? c.GetEnvironment()
            : throw new ArgumentException($"{catalog.GetType().Name} is not one of MLContext's catalogs.", nameof(catalog));
    }

    /// <summary>A seed from the MLContext's random source (repeatable for <c>new MLContext(seed)</c>), unless one is given.</summary>
    public static int NextSeed(IHostEnvironment env, int? explicitSeed)
    {
        ArgumentNullException.ThrowIfNull(env);
        return explicitSeed ?? env.Register("MLComponents.Seed").Rand.Next();
    }
}
