using Microsoft.ML.Transforms;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>Small, fast settings and readers shared by the trainer tests.</summary>
internal static class TrainerTestKit
{
    /// <summary>A model small enough to train in a second or two, yet able to learn the order task.</summary>
    public static TransformerClassifierOptions Small(PositionEncoding encoding, int epochs = 4) => new()
    {
        FeatureColumnName = "Tokens",
        Layers = 1, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f,
        MaxTokens = 16, Epochs = epochs, BatchSize = 32, LearningRate = 3e-3f, Seed = 1, Threads = 1,
        PositionEncoding = encoding,
    };

    /// <summary>
    /// The epoch-end report whose weights a classifier keeps, worked out from the reports: the last epoch whose validation
    /// accuracy is within one standard error, sqrt(best (1 - best) / rows), of the best accuracy so far.
    /// </summary>
    public static TrainingProgress KeptEpoch(IReadOnlyList<TrainingProgress> epochEnds, int validationRows) =>
        epochEnds[KeptEpochIndex([.. epochEnds.Select(p => p.ValidationAccuracy!.Value)], validationRows)];

    /// <summary>The same rule on the epochs' validation accuracies (for the engine's own progress type too): the kept index.</summary>
    public static int KeptEpochIndex(IReadOnlyList<double> accuracies, int validationRows)
    {
        double top = double.NegativeInfinity;
        int kept = 0;
        for (int i = 0; i < accuracies.Count; i++)
        {
            top = Math.Max(top, accuracies[i]);
            if (accuracies[i] >= top - Math.Sqrt(top * (1 - top) / validationRows)) kept = i;
        }
        return kept;
    }

    /// <summary>Pre-tokenised rows as a view with the label already mapped to a key.</summary>
    public static IDataView Keyed(MLContext ml, IEnumerable<TokenRow> rows, ValueToKeyMappingTransformer? keys = null)
    {
        var view = ml.Data.LoadFromEnumerable(rows.ToList());
        keys ??= ml.Transforms.Conversion.MapValueToKey("Label").Fit(view);
        return keys.Transform(view);
    }

    /// <summary>Every row's Score vector.</summary>
    public static List<float[]> Scores(IDataView scored, string column = "Score")
    {
        var col = scored.Schema[column];
        using var cursor = scored.GetRowCursor([col]);
        var get = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        var result = new List<float[]>();
        while (cursor.MoveNext())
        {
            get(ref v);
            result.Add(v.DenseValues().ToArray());
        }
        return result;
    }

    /// <summary>Every row's key value of a key column.</summary>
    public static List<uint> Keys(IDataView data, string column)
    {
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor([col]);
        var get = cursor.GetGetter<uint>(col);
        uint k = 0;
        var result = new List<uint>();
        while (cursor.MoveNext())
        {
            get(ref k);
            result.Add(k);
        }
        return result;
    }

    /// <summary>Collects progress reports synchronously.</summary>
    public sealed class Recorder(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
