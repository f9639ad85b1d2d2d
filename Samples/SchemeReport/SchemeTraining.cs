using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Progress;
using MLComponents.Trainers;

namespace MLComponents.Samples.SchemeReport;

/// <summary>
/// Trains one scheme in the ML.NET pipeline (MapValueToKey -> TokenizeToIds fitted on the training rows, then the Transformer
/// classifier with the held-out slice as its validation set, so every epoch reports validation metrics; the best epoch is kept),
/// evaluates it with ML.NET's evaluator and by token-count bucket, and inspects what its scheme learned.
/// </summary>
public static class SchemeTraining
{
    /// <summary>Positions shown in the heatmaps.</summary>
    public const int HeatmapPositions = 48;

    /// <summary>Trains and evaluates <paramref name="scheme"/>.</summary>
    public static SchemeResult Run(MLContext ml, string scheme, IDataView train, IDataView validation, IDataView test, ReportSettings s,
        TrainingDisplay display, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var prefix = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: s.MaxTokens))
            .Fit(train);
        var curve = new List<EpochPoint>();
        var predictor = display.Run(scheme, progress =>
        {
            var show = TrainerProgress.Classifier(progress, s.Epochs);
            var options = new TransformerClassifierOptions
            {
                FeatureColumnName = "Tokens",
                PositionEncoding = SampleCommandLine.CreateEncoding(scheme, s.MaxTokens),
                MaxTokens = s.MaxTokens,
                Epochs = s.Epochs,
                // Each scheme from the same seed, so its result does not depend on which schemes ran before it.
                Seed = s.Seed,
                ValidationSet = prefix.Transform(validation),
                // The whole budget, for whole curves; the best validated epoch's weights are kept all the same.
                EarlyStoppingPatience = 0,
                Progress = new Recorder(p =>
                {
                    if (p.EpochEnd) curve.Add(new EpochPoint(p.Epoch, p.Loss, p.ValidationAccuracy, p.ValidationLogLoss));
                    show.Report(p);
                }),
                ProgressInterval = display.IsLive ? 5 : 50,
                CancellationToken = cancellationToken,
            };
            if (s.ModelDimension > 0) options.ModelDimension = s.ModelDimension;
            if (s.Layers > 0) options.Layers = s.Layers;
            return ml.MulticlassClassification.Trainers.Transformer(options).Fit(prefix.Transform(train));
        });
        var scored = predictor.Transform(prefix.Transform(test));
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        var (heatmaps, note) = SchemeInspection.Inspect(predictor.Model.Encoder, HeatmapPositions);
        return new SchemeResult(scheme, metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss, ByLength(scored), curve,
            predictor.Model.BestEpoch, heatmaps, note, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The token-count buckets: 1-8, 9-16, 17-32, then doubling.</summary>
    public static (string Label, int Max) Bucket(int tokens)
    {
        int max = 8;
        while (tokens > max) max *= 2;
        return ($"{(max == 8 ? 1 : max / 2 + 1)}-{max}", max);
    }

    private static List<LengthAccuracy> ByLength(IDataView scored)
    {
        var label = scored.Schema["Label"];
        var predicted = scored.Schema["PredictedLabel"];
        var tokens = scored.Schema["Tokens"];
        using var cursor = scored.GetRowCursor([label, predicted, tokens]);
        var getLabel = cursor.GetGetter<uint>(label);
        var getPredicted = cursor.GetGetter<uint>(predicted);
        var getTokens = cursor.GetGetter<VBuffer<int>>(tokens);
        uint y = 0, p = 0;
        VBuffer<int> ids = default;
        var counts = new SortedDictionary<int, (string Label, int Rows, int Right)>();
        while (cursor.MoveNext())
        {
            getLabel(ref y);
            if (y == 0) continue; // a label not seen in training: ML.NET's evaluator leaves it out too
            getPredicted(ref p);
            getTokens(ref ids);
            var (name, max) = Bucket(Math.Max(1, ids.Length));
            var c = counts.GetValueOrDefault(max, (Label: name, Rows: 0, Right: 0));
            counts[max] = (name, c.Rows + 1, c.Right + (p == y ? 1 : 0));
        }
        return [.. counts.Select(kv => new LengthAccuracy(kv.Value.Label, kv.Key, kv.Value.Rows, (double)kv.Value.Right / kv.Value.Rows))];
    }

    /// <summary>Reports synchronously on the training thread.</summary>
    private sealed class Recorder(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
