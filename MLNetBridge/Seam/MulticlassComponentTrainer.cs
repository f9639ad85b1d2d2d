using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace MLComponents.MLNet;

/// <summary>The data a trainer trains on: the training view, its label and feature columns, and optional validation data.</summary>
/// <param name="Data">Training rows.</param>
/// <param name="LabelColumn">The key-typed label column (checked by the trainer base).</param>
/// <param name="FeatureColumn">The feature column (checked against the trainer's feature shape).</param>
/// <param name="Validation">Validation rows with the same columns, or null.</param>
public sealed record TrainingInput(IDataView Data, DataViewSchema.Column LabelColumn, DataViewSchema.Column FeatureColumn, IDataView? Validation);

/// <summary>
/// Base of our multiclass trainers: an ML.NET <see cref="TrainerEstimatorBase{TTransformer, TModel}"/> whose fitted
/// result is ML.NET's own <see cref="MulticlassPredictionTransformer{TModel}"/>, so <c>Score</c> (with SlotNames from the
/// label's values), <c>PredictedLabel</c> (a key carrying the label's KeyValues), the evaluators, <c>MapKeyToValue</c>,
/// <c>CrossValidate</c> and <c>PredictionEngine</c> behave exactly as with ML.NET's trainers.
/// </summary>
/// <typeparam name="TModel">The model the trainer produces.</typeparam>
public abstract class MulticlassComponentTrainer<TModel> : TrainerEstimatorBase<MulticlassPredictionTransformer<TModel>, TModel>
    where TModel : class, IPredictorProducing<VBuffer<float>>
{
    private readonly string _scoreColumn, _predictedLabelColumn;

    /// <summary>Creates the trainer.</summary>
    /// <param name="env">The MLContext (as ML.NET's host environment).</param>
    /// <param name="name">Registration name (for ML.NET's messages).</param>
    /// <param name="labelColumn">Key-typed label column.</param>
    /// <param name="featureColumn">Feature column and its required shape.</param>
    /// <param name="scoreColumn">Name of the score column the fitted transformer adds.</param>
    /// <param name="predictedLabelColumn">Name of the predicted-label column it adds.</param>
    protected MulticlassComponentTrainer(IHostEnvironment env, string name, string labelColumn, SchemaShape.Column featureColumn,
        string scoreColumn, string predictedLabelColumn)
        : base((env ?? throw new ArgumentNullException(nameof(env))).Register(name), featureColumn,
            SchemaChecks.Column(labelColumn, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, isKey: true))
    {
        _scoreColumn = scoreColumn;
        _predictedLabelColumn = predictedLabelColumn;
    }

    /// <summary>The MLContext this trainer belongs to (as ML.NET's host environment).</summary>
    protected IHostEnvironment Environment => Host;

    /// <summary>Trains on <paramref name="input"/>.</summary>
    protected abstract TModel Train(TrainingInput input);

    /// <summary>Trains with a validation set (per-epoch validation metrics and early stopping).</summary>
    public MulticlassPredictionTransformer<TModel> Fit(IDataView trainData, IDataView? validationData) =>
        TrainTransformer(trainData, validationData);

    /// <inheritdoc />
    public override TrainerInfo Info { get; } = new(normalization: false, calibration: false, caching: false, supportValid: true);

    /// <summary>ML.NET's prediction kind (internal to ML.NET).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    /// <summary>ML.NET's training hook (internal to ML.NET); use Fit.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override TModel TrainModelCore(TrainContext trainContext)
    {
        ArgumentNullException.ThrowIfNull(trainContext);
        var train = trainContext.TrainingSet;
        return Train(new TrainingInput(train.Data, train.Schema.Label!.Value, train.Schema.Feature!.Value, trainContext.ValidationSet?.Data));
    }

    /// <summary>ML.NET's output-shape hook (internal to ML.NET).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema)
    {
        bool found = inputSchema.TryFindColumn(LabelColumn.Name, out var label);
        // PredictedLabel carries the label's KeyValues, so MapKeyToValue after the trainer checks out before Fit runs.
        var labelValues = found ? label.Annotations.Where(a => a.Name == AnnotationKinds.KeyValues) : [];
        return
        [
            new SchemaShape.Column(_scoreColumn, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(found ? label : null))),
            new SchemaShape.Column(_predictedLabelColumn, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true,
                new SchemaShape(labelValues.Concat(AnnotationUtils.GetTrainerOutputAnnotation()))),
        ];
    }

    /// <summary>ML.NET's label check (internal to ML.NET): any key type is accepted.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override void CheckLabelCompatible(SchemaShape.Column labelCol)
    {
        if (!labelCol.IsKey || labelCol.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new SchemaException($"Column '{labelCol.Name}' must be a key (map the label with MapValueToKey), got {labelCol.GetTypeString()}.", labelCol.Name);
    }

    /// <summary>ML.NET's transformer factory (internal to ML.NET).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed override MulticlassPredictionTransformer<TModel> MakeTransformer(TModel model, DataViewSchema trainSchema) =>
        new(Host, model, trainSchema, FeatureColumn.Name, LabelColumn.Name, _scoreColumn, _predictedLabelColumn);
}
