using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;

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

/// <summary>ML.NET's own steps, built from a host environment where ML.NET only offers them through an MLContext catalog.</summary>
public static class MLNetSteps
{
    /// <summary>ML.NET's DropColumns (what <c>ml.Transforms.DropColumns</c> returns).</summary>
    public static IEstimator<ITransformer> DropColumns(IHostEnvironment env, params string[] columnNames) =>
        ColumnSelectingEstimator.DropColumns(env, columnNames);
}
