using MLComponents.MLNet;
using MLComponents.Trainers;
using static MLComponents.UnitTests.Trainer.TrainerTestKit;

namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// The Transformer classifier inside ML.NET's own machinery: its outputs follow ML.NET's multiclass contract, so
/// Evaluate, MapKeyToValue, CrossValidate and PredictionEngine work on them unchanged.
/// </summary>
[TestClass]
public sealed class ClassifierOnMLNetTests
{
    public TestContext TestContext { get; set; } = null!;

    public sealed class NamedPrediction
    {
        public string PredictedText { get; set; } = "";

        public float[] Score { get; set; } = [];
    }

    // Small(rope) needs about 6 epochs over 800 rows to find the order: 600 rows x 4 epochs still score 0.51, 800 x 6 score 1.0.
    private static IEstimator<ITransformer> Pipeline(MLContext ml, int epochs = 6) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16))
            .Append(ml.MulticlassClassification.Trainers.Transformer(Small(PositionEncoding.Rotary(), epochs)));

    private static string[] TextAnnotation(DataViewSchema.Column column, string kind)
    {
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue(kind, ref values);
        return [.. values.DenseValues().Select(v => v.ToString())];
    }

    [TestMethod]
    public void Evaluate_ReadsOurScores_WithClassNamesFromTheLabel_AndMatchesHandMetrics()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Text(800, 41));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Text(200, 42));
        var model = Pipeline(ml).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel")).Fit(train);
        var scored = model.Transform(test);

        // The label's values, in key order (MapValueToKey numbers them by first occurrence in the training data).
        var classes = TextAnnotation(scored.Schema["Label"], AnnotationKinds.KeyValues);
        CollectionAssert.AreEquivalent(new[] { "alpha-first", "beta-first" }, classes);
        var score = scored.Schema["Score"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2), score.Type);
        CollectionAssert.AreEqual(classes, TextAnnotation(score, AnnotationKinds.SlotNames), "Score's slots are named after the classes");
        ReadOnlyMemory<char> kind = default;
        score.Annotations.GetValue(AnnotationKinds.ScoreColumnKind, ref kind);
        Assert.AreEqual("MulticlassClassification", kind.ToString());
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 2), scored.Schema["PredictedLabel"].Type);
        CollectionAssert.AreEqual(classes, TextAnnotation(scored.Schema["PredictedLabel"], AnnotationKinds.KeyValues));

        // Hand metrics from the columns themselves.
        var labels = Keys(scored, "Label");
        var predicted = Keys(scored, "PredictedLabel");
        var scores = Scores(scored);
        var names = scored.GetColumn<ReadOnlyMemory<char>>("PredictedText").Select(m => m.ToString()).ToList();
        var counts = new double[2, 2];
        double logLoss = 0;
        for (int r = 0; r < labels.Count; r++)
        {
            int argmax = scores[r][1] > scores[r][0] ? 1 : 0;
            Assert.AreEqual((uint)argmax + 1, predicted[r], $"row {r}: PredictedLabel is the most probable class's key");
            Assert.AreEqual(classes[argmax], names[r], $"row {r}: MapKeyToValue gives its name");
            counts[labels[r] - 1, argmax]++;
            logLoss -= Math.Log(Math.Max(scores[r][labels[r] - 1], 1e-15));
        }
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.AreEqual((counts[0, 0] + counts[1, 1]) / labels.Count, metrics.MicroAccuracy, 1e-12);
        Assert.AreEqual(logLoss / labels.Count, metrics.LogLoss, 1e-5);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                Assert.AreEqual(counts[i, j], metrics.ConfusionMatrix.Counts[i][j], $"confusion [{i}, {j}]");
        string table = metrics.ConfusionMatrix.GetFormattedConfusionTable();
        StringAssert.Contains(table, "alpha-first");
        StringAssert.Contains(table, "beta-first");
        TestContext.WriteLine(table);
        Assert.IsGreaterThanOrEqualTo(0.9, metrics.MicroAccuracy, "rope learns which marker comes first");
    }

    [TestMethod]
    public void PredictionEngine_OnTheReloadedModel_GivesTheBatchScores_AndNamesClassesForUnlabelledInput()
    {
        var ml = new MLContext(seed: 1);
        var trainRows = OrderTask.Text(300, 43);
        var train = ml.Data.LoadFromEnumerable(trainRows);
        var model = Pipeline(ml, epochs: 2).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel")).Fit(train);
        var rows = OrderTask.Text(40, 44);
        var batch = Scores(model.Transform(ml.Data.LoadFromEnumerable(rows)));

        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loadedMl = new MLContext();
        var loaded = loadedMl.Model.Load(stream, out var schema);
        using var engine = loadedMl.Model.CreatePredictionEngine<TextRow, NamedPrediction>(loaded, schema);
        string[] classes = [.. trainRows.Select(r => r.Label).Distinct()];
        for (int r = 0; r < rows.Count; r++)
        {
            // No label given: MapValueToKey gives key 0, which the classifier never reads.
            var p = engine.Predict(new TextRow { Text = rows[r].Text });
            CollectionAssert.AreEqual(batch[r], p.Score, $"row {r}: engine on the reloaded model vs batch scoring, bit for bit");
            Assert.AreEqual(classes[p.Score[1] > p.Score[0] ? 1 : 0], p.PredictedText, $"row {r}");
        }
    }

    [TestMethod]
    public void CrossValidate_TrainsOneModelPerFold_AndReportsEachFoldsMetrics()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Text(1200, 45));
        var folds = ml.MulticlassClassification.CrossValidate(data, Pipeline(ml), numberOfFolds: 3);
        Assert.HasCount(3, folds);
        long heldOut = 0;
        for (int f = 0; f < folds.Count; f++)
        {
            var fold = folds[f];
            Assert.AreEqual(f, fold.Fold);
            var scored = fold.ScoredHoldOutSet;
            long rows = Keys(scored, "Label").Count;
            heldOut += rows;
            var recomputed = ml.MulticlassClassification.Evaluate(scored);
            Assert.AreEqual(recomputed.MicroAccuracy, fold.Metrics.MicroAccuracy, 1e-12, $"fold {f}");
            Assert.AreEqual(recomputed.LogLoss, fold.Metrics.LogLoss, 1e-9, $"fold {f}");
            var predictor = ((IEnumerable<ITransformer>)fold.Model).OfType<MulticlassPredictionTransformer<TransformerClassifierModelParameters>>().Single();
            Assert.AreEqual(2, predictor.Model.ClassCount);
            TestContext.WriteLine($"fold {f}: {rows} held-out rows, accuracy {fold.Metrics.MicroAccuracy:F3}, log-loss {fold.Metrics.LogLoss:F3}");
            Assert.IsGreaterThanOrEqualTo(0.9, fold.Metrics.MicroAccuracy, $"fold {f}: rope learns the order task from the other folds' 800 rows");
        }
        Assert.AreEqual(1200L, heldOut, "every row is held out exactly once");
    }

    [TestMethod]
    public void FitWithAValidationSet_ValidatesEveryEpoch_AndKeepsTheBestEpoch()
    {
        var ml = new MLContext(seed: 1);
        var prefix = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16))
            .Fit(ml.Data.LoadFromEnumerable(OrderTask.Text(300, 46)));
        var train = prefix.Transform(ml.Data.LoadFromEnumerable(OrderTask.Text(300, 46)));
        var validation = prefix.Transform(ml.Data.LoadFromEnumerable(OrderTask.Text(100, 47)));
        var recorder = new Recorder();
        var options = Small(PositionEncoding.Rotary(), epochs: 3);
        options.Progress = recorder;
        options.EarlyStoppingPatience = 0;
        var model = ml.MulticlassClassification.Trainers.Transformer(options).Fit(train, validation);

        var ends = recorder.Reports.Where(p => p.EpochEnd).ToList();
        Assert.HasCount(3, ends);
        Assert.IsTrue(ends.All(p => p.ValidationAccuracy is not null && p.ValidationLogLoss is not null), "validated every epoch");
        var best = KeptEpoch(ends, 100);
        Assert.AreEqual(best.Epoch, model.Model.BestEpoch);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(validation));
        Assert.AreEqual(best.ValidationAccuracy!.Value, metrics.MicroAccuracy, 1e-12, "the returned weights are the best epoch's");
    }
}
