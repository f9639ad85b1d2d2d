using System.Collections;
using System.Globalization;

[assembly: MLComponents.ModelComponent("TransformerChain", typeof(MLComponents.TransformerChain<MLComponents.ITransformer>))]

namespace MLComponents;

/// <summary>
/// Fitted transformers applied in order (ML.NET's TransformerChain). <see cref="Transform"/> is lazy:
/// it stacks the steps' views without reading data. Saved as one child component per step ("0", "1", ...).
/// </summary>
public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>
    where TLastTransformer : class, ITransformer
{
    private readonly ITransformer[] _transformers;

    /// <summary>Creates a chain; the last step must be a <typeparamref name="TLastTransformer"/>.</summary>
    public TransformerChain(params ITransformer[] transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        for (int i = 0; i < transformers.Length; i++)
            if (transformers[i] is null) throw new ArgumentNullException(nameof(transformers), $"Step {i} is null.");
        if (transformers.Length > 0 && transformers[^1] is not TLastTransformer)
            throw new ArgumentException($"The last step is a {transformers[^1].GetType().Name}, not a {typeof(TLastTransformer).Name}.", nameof(transformers));
        _transformers = [.. transformers];
    }

    /// <summary>The last step (throws on an empty chain).</summary>
    public TLastTransformer LastTransformer =>
        _transformers.Length > 0 ? (TLastTransformer)_transformers[^1] : throw new InvalidOperationException("The chain is empty.");

    /// <summary>Number of steps.</summary>
    public int Count => _transformers.Length;

    /// <inheritdoc />
    public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

    /// <inheritdoc />
    public string ComponentTypeId => "TransformerChain";

    /// <summary>A new chain with <paramref name="transformer"/> added at the end.</summary>
    public TransformerChain<TNewLast> Append<TNewLast>(TNewLast transformer) where TNewLast : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TNewLast>([.. _transformers, transformer]);
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var t in _transformers) s = t.GetOutputSchema(s);
        return s;
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var data = input;
        foreach (var t in _transformers) data = t.Transform(data);
        return data;
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Options["count"] = _transformers.Length;
        for (int i = 0; i < _transformers.Length; i++) ctx.AddComponent(i.ToString(CultureInfo.InvariantCulture), _transformers[i]);
    }

    /// <summary>Rebuilds a saved chain (each step through the component registry).</summary>
    public static TransformerChain<ITransformer> Load(ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        int count = ctx.GetOption<int>("count");
        if (count < 0 || count != ctx.ComponentNames.Count)
            throw new ModelFormatException(ctx.EntryPath, $"option 'count' is {count} but {ctx.ComponentNames.Count} steps are stored");
        var steps = new ITransformer[count];
        for (int i = 0; i < count; i++) steps[i] = ctx.LoadComponent<ITransformer>(i.ToString(CultureInfo.InvariantCulture));
        return new TransformerChain<ITransformer>(steps);
    }

    /// <inheritdoc />
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Estimators fitted in order (ML.NET's EstimatorChain): each is fitted on the data transformed by the
/// transformers fitted before it. <see cref="Fit"/> returns the <see cref="TransformerChain{TLastTransformer}"/>.
/// </summary>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;
    private readonly bool[] _cacheAfter;
    private readonly MLContext? _context;

    /// <summary>An empty chain (append to it).</summary>
    public EstimatorChain() : this([], [], null) { }

    private EstimatorChain(IEstimator<ITransformer>[] estimators, bool[] cacheAfter, MLContext? context)
    {
        _estimators = estimators; _cacheAfter = cacheAfter; _context = context;
    }

    /// <summary>The estimators, in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators;

    /// <summary>A new chain with <paramref name="estimator"/> added at the end.</summary>
    public EstimatorChain<TNewLast> Append<TNewLast>(IEstimator<TNewLast> estimator) where TNewLast : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNewLast>([.. _estimators, estimator], [.. _cacheAfter, false], _context);
    }

    /// <summary>
    /// Caches the data produced so far during <see cref="Fit"/>, so later estimators that make several
    /// passes (trainers) do not recompute the earlier steps every pass.
    /// </summary>
    public EstimatorChain<TLastTransformer> AppendCacheCheckpoint(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_estimators.Length == 0) return this;
        bool[] cache = [.. _cacheAfter];
        cache[^1] = true;
        return new EstimatorChain<TLastTransformer>(_estimators, cache, context);
    }

    /// <inheritdoc />
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Fail on a bad schema before any (possibly long) training.
        _ = GetOutputSchema(SchemaShape.Create(input.Schema));
        var data = input;
        var fitted = new ITransformer[_estimators.Length];
        for (int i = 0; i < _estimators.Length; i++)
        {
            fitted[i] = _estimators[i].Fit(data);
            if (i + 1 < _estimators.Length)
            {
                data = fitted[i].Transform(data);
                if (_cacheAfter[i]) data = _context!.Data.Cache(data);
            }
        }
        return new TransformerChain<TLastTransformer>(fitted);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var e in _estimators) s = e.GetOutputSchema(s);
        return s;
    }
}

/// <summary>The <c>Append</c> verbs that start chains (ML.NET's LearningPipelineExtensions).</summary>
public static class LearningPipelineExtensions
{
    /// <summary>Chains two estimators: <c>a.Append(b)</c>.</summary>
    public static EstimatorChain<TTransformer> Append<TTransformer>(this IEstimator<ITransformer> start, IEstimator<TTransformer> estimator)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        return new EstimatorChain<ITransformer>().Append(start).Append(estimator);
    }

    /// <summary>Chains two fitted transformers.</summary>
    public static TransformerChain<TTransformer> Append<TTransformer>(this ITransformer start, TTransformer transformer)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        return new TransformerChain<TTransformer>(start, transformer);
    }

    /// <summary>Caches the data produced so far during Fit (see <see cref="EstimatorChain{T}.AppendCacheCheckpoint"/>).</summary>
    public static EstimatorChain<TTransformer> AppendCacheCheckpoint<TTransformer>(this IEstimator<TTransformer> start, MLContext context)
        where TTransformer : class, ITransformer =>
        new EstimatorChain<ITransformer>().Append(start).AppendCacheCheckpoint(context);
}
