namespace MLComponents;

/// <summary>
/// The entry point, as in ML.NET: holds the seed and the catalogs whose extension methods create
/// loaders, transforms, trainers and evaluators.
/// </summary>
public sealed class MLContext
{
    private readonly Random _random;
    private readonly Lock _randomLock = new();

    /// <summary>Creates a context; a seed makes every seeded component repeatable.</summary>
    public MLContext(int? seed = null)
    {
        Seed = seed;
        _random = seed is int s ? new Random(s) : new Random();
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        Regression = new RegressionCatalog(this);
        Model = new ModelOperationsCatalog(this);
    }

    /// <summary>The seed given at construction, if any.</summary>
    public int? Seed { get; }

    /// <summary>Loading, saving, splitting and shuffling data.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Transforms (conversion, text, position encoding...).</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Multiclass trainers and evaluation.</summary>
    public MulticlassClassificationCatalog MulticlassClassification { get; }

    /// <summary>Regression trainers and evaluation.</summary>
    public RegressionCatalog Regression { get; }

    /// <summary>Saving, loading and prediction engines.</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Component registry used when loading models.</summary>
    public ComponentRegistry ComponentCatalog { get; } = new();

    /// <summary>
    /// A seed for a component: the explicit one when given, else the next draw from the context's
    /// generator (so a seeded context gives repeatable seeds in creation order).
    /// </summary>
    public int NextSeed(int? explicitSeed = null)
    {
        if (explicitSeed is int s) return s;
        lock (_randomLock) return _random.Next();
    }
}

/// <summary>Base of every catalog: gives extension methods the context.</summary>
public abstract class CatalogBase
{
    private protected CatalogBase(MLContext context) => Context = context;

    /// <summary>The owning context.</summary>
    public MLContext Context { get; }
}

/// <summary>Transforms. Sub-catalogs group them; other assemblies add extension methods.</summary>
public sealed class TransformsCatalog : CatalogBase
{
    internal TransformsCatalog(MLContext ctx) : base(ctx)
    {
        Conversion = new ConversionTransforms(ctx);
        Text = new TextTransforms(ctx);
        PositionEncoding = new PositionEncodingTransforms(ctx);
    }

    /// <summary>Type and key conversions.</summary>
    public ConversionTransforms Conversion { get; }

    /// <summary>Text transforms (tokenisation, sentence embeddings).</summary>
    public TextTransforms Text { get; }

    /// <summary>Position-encoding featurisers.</summary>
    public PositionEncodingTransforms PositionEncoding { get; }

    /// <summary>Conversion transforms.</summary>
    public sealed class ConversionTransforms : CatalogBase
    {
        internal ConversionTransforms(MLContext ctx) : base(ctx) { }
    }

    /// <summary>Text transforms.</summary>
    public sealed class TextTransforms : CatalogBase
    {
        internal TextTransforms(MLContext ctx) : base(ctx) { }
    }

    /// <summary>Position-encoding featurisers.</summary>
    public sealed class PositionEncodingTransforms : CatalogBase
    {
        internal PositionEncodingTransforms(MLContext ctx) : base(ctx) { }
    }
}

/// <summary>Multiclass classification: trainers and evaluation.</summary>
public sealed partial class MulticlassClassificationCatalog : CatalogBase
{
    internal MulticlassClassificationCatalog(MLContext ctx) : base(ctx) => Trainers = new MulticlassClassificationTrainers(ctx);

    /// <summary>Trainers.</summary>
    public MulticlassClassificationTrainers Trainers { get; }

    /// <summary>Multiclass trainers (extension methods add them).</summary>
    public sealed class MulticlassClassificationTrainers : CatalogBase
    {
        internal MulticlassClassificationTrainers(MLContext ctx) : base(ctx) { }
    }
}

/// <summary>Regression: trainers and evaluation.</summary>
public sealed partial class RegressionCatalog : CatalogBase
{
    internal RegressionCatalog(MLContext ctx) : base(ctx) => Trainers = new RegressionTrainers(ctx);

    /// <summary>Trainers.</summary>
    public RegressionTrainers Trainers { get; }

    /// <summary>Regression trainers (extension methods add them).</summary>
    public sealed class RegressionTrainers : CatalogBase
    {
        internal RegressionTrainers(MLContext ctx) : base(ctx) { }
    }
}

/// <summary>Data loading and manipulation.</summary>
public sealed partial class DataOperationsCatalog : CatalogBase
{
    internal DataOperationsCatalog(MLContext ctx) : base(ctx) { }
}

/// <summary>Model save/load and prediction engines.</summary>
public sealed partial class ModelOperationsCatalog : CatalogBase
{
    internal ModelOperationsCatalog(MLContext ctx) : base(ctx) { }
}
