using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace MLComponents.MLNet;

/// <summary>What a trained model's scores mean to ML.NET's scorers and evaluators.</summary>
public enum ScoreKind
{
    /// <summary>A known-size vector of class scores; ML.NET adds PredictedLabel (a key) and SlotNames.</summary>
    MulticlassClassification,

    /// <summary>One float.</summary>
    Regression,
}

/// <summary>Maps one row's input value to its output, allocation-free once warm; one instance per cursor.</summary>
public delegate void RowScorer<TInput, TOutput>(in TInput input, ref TOutput output);

/// <summary>
/// Base of the models our trainers produce: an ML.NET <see cref="ModelParametersBase{TOutput}"/> and value mapper, so
/// ML.NET's prediction transformers score with it (adding <c>Score</c>, <c>PredictedLabel</c> and their annotations),
/// its evaluators read the result, and <c>Model.Save</c>/<c>Model.Load</c> store what <see cref="SaveComponent"/> writes.
/// </summary>
/// <typeparam name="TSelf">The derived model type.</typeparam>
/// <typeparam name="TInput">The raw type of the feature column (e.g. <c>VBuffer&lt;int&gt;</c> of token ids).</typeparam>
/// <typeparam name="TOutput">The raw type of the score (e.g. <c>VBuffer&lt;float&gt;</c> of class probabilities).</typeparam>
public abstract class ComponentModelParameters<TSelf, TInput, TOutput> : ModelParametersBase<TOutput>, IValueMapper
    where TSelf : ComponentModelParameters<TSelf, TInput, TOutput>, ILoadableComponent<TSelf>
{
    /// <summary>Registers the model with the MLContext it is trained or loaded in.</summary>
    protected ComponentModelParameters(IHostEnvironment env) : base(env, TSelf.Signature.LoaderSignature)
    {
    }

    /// <summary>What the scores mean.</summary>
    protected abstract ScoreKind Kind { get; }

    /// <summary>The feature column type the model reads (a vector of unknown size accepts any length).</summary>
    public abstract DataViewType InputType { get; }

    /// <summary>The score type (a known-size float vector for classification, a float for regression).</summary>
    public abstract DataViewType OutputType { get; }

    /// <summary>A scorer for one cursor (its buffers are its own; cursors on other threads get their own).</summary>
    protected abstract RowScorer<TInput, TOutput> CreateScorer();

    /// <summary>Writes options, tensors and texts; <see cref="ILoadableComponent{TSelf}.Load"/> reads them back.</summary>
    protected abstract void SaveComponent(ComponentSaveContext ctx);

    /// <summary>ML.NET's prediction kind (internal to ML.NET).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override PredictionKind PredictionKind =>
        Kind == ScoreKind.MulticlassClassification ? PredictionKind.MulticlassClassification : PredictionKind.Regression;

    /// <summary>ML.NET's save hook (internal to ML.NET); use <c>mlContext.Model.Save</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override void Save(ModelSaveContext ctx) => ComponentStore.Save(ctx, TSelf.Signature, typeof(TSelf), SaveComponent);

    /// <summary>Not used: <see cref="Save"/> writes the whole component.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override void SaveCore(ModelSaveContext ctx) => throw new NotSupportedException();

    ValueMapper<TSrc, TDst> IValueMapper.GetMapper<TSrc, TDst>()
    {
        if (typeof(TSrc) != typeof(TInput) || typeof(TDst) != typeof(TOutput))
            throw new InvalidOperationException($"{typeof(TSelf).Name} maps {typeof(TInput).Name} to {typeof(TOutput).Name}, not {typeof(TSrc).Name} to {typeof(TDst).Name}.");
        var scorer = CreateScorer();
        ValueMapper<TInput, TOutput> mapper = (in TInput src, ref TOutput dst) => scorer(in src, ref dst);
        return (ValueMapper<TSrc, TDst>)(Delegate)mapper;
    }
}
