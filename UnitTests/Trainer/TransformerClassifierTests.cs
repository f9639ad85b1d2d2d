using MLComponents.Trainers;
using static MLComponents.UnitTests.Trainer.TrainerTestKit;

namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

[TestClass]
public sealed class TransformerClassifierTests
{
    // A missing or mistyped label or feature column is caught by ML.NET's trainer base before our code runs: its
    // ArgumentOutOfRangeException names the column (and the expected type). A label that is not a key is ours to name.
    [TestMethod]
    public void Fit_MissingLabelColumn_NamesIt()
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, OrderTask.Ids(20, 1));
        var options = Small(PositionEncoding.None(), 1);
        options.LabelColumnName = "Category";
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Transformer(options).Fit(data));
        StringAssert.Contains(e.Message, "'Category'");
    }

    [TestMethod]
    public void Fit_LabelNotAKey_NamesItAndTheExpectedType()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Ids(20, 1)); // Label is still text
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.MulticlassClassification.Trainers.Transformer(Small(PositionEncoding.None(), 1)).Fit(data));
        Assert.AreEqual("Label", e.ColumnName);
        StringAssert.Contains(e.Message, "key");
        StringAssert.Contains(e.Message, "String");
    }

    [TestMethod]
    public void Fit_TokenColumnMissingOrMistyped_NamesIt()
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, OrderTask.Ids(20, 1));
        var missing = Small(PositionEncoding.None(), 1);
        missing.FeatureColumnName = "Ids";
        var e1 = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Transformer(missing).Fit(data));
        StringAssert.Contains(e1.Message, "'Ids'");

        var floats = ml.Data.LoadFromEnumerable(new[] { new FloatRow { Label = "a", Tokens = [1f] }, new FloatRow { Label = "b", Tokens = [2f] } });
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(floats).Transform(floats);
        var e2 = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Transformer(Small(PositionEncoding.None(), 1)).Fit(keyed));
        StringAssert.Contains(e2.Message, "'Tokens'");
        StringAssert.Contains(e2.Message, "Int32");
    }

    [TestMethod]
    public void Transform_WithoutTokenColumn_NamesIt()
    {
        var ml = new MLContext(1);
        var model = ml.MulticlassClassification.Trainers.Transformer(Small(PositionEncoding.None(), 1)).Fit(Keyed(ml, OrderTask.Ids(40, 1)));
        var other = ml.Data.LoadFromEnumerable(new[] { new TextRow { Label = "x", Text = "y" } });
        // ML.NET's prediction transformer checks its feature column first (its message: "Tokens column 'Feature' not found").
        var e = Assert.Throws<ArgumentException>(() => model.Transform(other));
        StringAssert.Contains(e.Message, "Tokens");
    }

    [TestMethod]
    public void BucketBatches_ReachesTheBatchOrder()
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, OrderTask.Ids(200, 4));
        List<float[]> ScoresWith(int? bucketBatches)
        {
            var options = Small(PositionEncoding.Rotary(), 1);
            options.ValidationFraction = 0;
            if (bucketBatches is int b) options.BucketBatches = b;
            return Scores(ml.MulticlassClassification.Trainers.Transformer(options).Fit(data).Transform(data));
        }

        var byDefault = ScoresWith(null);
        var fifty = ScoresWith(50);
        var shuffledOnly = ScoresWith(1);
        for (int i = 0; i < byDefault.Count; i++) CollectionAssert.AreEqual(byDefault[i], fifty[i], $"row {i}: the default is 50");
        // Rows of several lengths: length-sorted chunks and plain shuffled batches train on different batches.
        Assert.IsTrue(Enumerable.Range(0, byDefault.Count).Any(i => !byDefault[i].SequenceEqual(shuffledOnly[i])), "BucketBatches = 1 changed nothing");
    }

    [TestMethod]
    public void SaveLoad_GivesBitIdenticalScores_AndPredictionEngineWorksOnTheLoadedModel()
    {
        var ml = new MLContext(1);
        var raw = ml.Data.LoadFromEnumerable(OrderTask.Ids(200, 2));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Transformer(Small(PositionEncoding.Rotary(), 2)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(raw);
        var test = ml.Data.LoadFromEnumerable(OrderTask.Ids(50, 3));
        var before = Scores(model.Transform(test));

        using var stream = new MemoryStream();
        ml.Model.Save(model, raw.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out var schema);
        var after = Scores(loaded.Transform(test));

        Assert.AreEqual(50, after.Count);
        for (int r = 0; r < before.Count; r++)
        {
            Assert.AreEqual(2, before[r].Length);
            Assert.AreEqual(1.0, before[r].Sum(), 1e-5);
            CollectionAssert.AreEqual(before[r].Select(BitConverter.SingleToInt32Bits).ToArray(), after[r].Select(BitConverter.SingleToInt32Bits).ToArray(), $"row {r}");
        }

        using var engine = ml.Model.CreatePredictionEngine<TokenRow, TextPrediction>(loaded, schema);
        var rows = OrderTask.Ids(50, 3);
        for (int r = 0; r < 5; r++)
        {
            var p = engine.Predict(rows[r]);
            CollectionAssert.AreEqual(before[r], p.Score, $"row {r}");
            string expected = before[r][0] >= before[r][1] ? FirstLabel(rows: OrderTask.Ids(200, 2), 0) : FirstLabel(OrderTask.Ids(200, 2), 1);
            Assert.AreEqual(expected, p.PredictedLabel, $"row {r}");
        }
    }

    [TestMethod]
    public void LongSequences_AreTruncatedAndCounted_NeverDropped_AndEmptyOnesAreScored()
    {
        var ml = new MLContext(1);
        var rows = OrderTask.Ids(100, 4, minLength: 2, maxLength: 12);
        rows.Add(new TokenRow { Label = "alpha-first", Tokens = [] });
        var data = Keyed(ml, rows);
        var options = Small(PositionEncoding.Rotary(), 1);
        options.MaxTokens = 6;
        var recorder = new Recorder();
        options.Progress = recorder;
        var model = ml.MulticlassClassification.Trainers.Transformer(options).Fit(data);

        long expected = rows.Count(r => r.Tokens.Length > 6);
        Assert.IsTrue(expected > 20, "the data must contain long rows");
        Assert.AreEqual(expected, model.Model.TruncatedTrainingSequences);
        Assert.IsTrue(recorder.Reports.Count > 0 && recorder.Reports.All(p => p.TruncatedSequences == expected));

        var scores = Scores(model.Transform(data));
        Assert.AreEqual(rows.Count, scores.Count, "every row, long or empty, is scored");
        Assert.IsTrue(scores.All(s => Math.Abs(s.Sum() - 1) < 1e-5));

        // Prediction truncates the same way: a long row scores exactly as its first MaxTokens ids.
        int longRow = rows.FindIndex(r => r.Tokens.Length > 6);
        var prefix = Keyed(ml, [new TokenRow { Label = rows[longRow].Label, Tokens = rows[longRow].Tokens[..6] }]);
        CollectionAssert.AreEqual(scores[longRow], Scores(model.Transform(prefix))[0]);

        // An empty row is scored as the lone padding id 0.
        var probabilities = new float[2];
        model.Model.Predict([0], probabilities);
        CollectionAssert.AreEqual(probabilities, scores[^1]);
    }

    [TestMethod]
    public void TokenIdOutsideTheVocabulary_AtPrediction_NamesColumnIdAndPosition()
    {
        var ml = new MLContext(1);
        var model = ml.MulticlassClassification.Trainers.Transformer(Small(PositionEncoding.None(), 1)).Fit(Keyed(ml, OrderTask.Ids(40, 1)));
        Assert.AreEqual(OrderTask.FirstFiller + OrderTask.Fillers, model.Model.VocabularySize, "max id + 1 of the training data");
        var bad = ml.Data.LoadFromEnumerable(new[]
        {
            new TokenRow { Tokens = [1, 2] }, new TokenRow { Tokens = [3, 4] }, new TokenRow { Tokens = [1, 999] },
        });
        var e = MLNetErrors.ThrownByRow<InvalidDataException>(() => Scores(model.Transform(bad)));
        // ML.NET's scorer hands the model a value mapper that never sees the row, so the message names the column, the id and
        // its position in the sequence, not the row.
        StringAssert.Contains(e.Message, "Column 'Tokens': token id 999 at position 1");
    }

    [TestMethod]
    public void Progress_ReportsEveryEpoch_AndCancellationThrows()
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, OrderTask.Ids(100, 5));
        var options = Small(PositionEncoding.Rotary(), 3);
        var recorder = new Recorder();
        options.Progress = recorder;
        ml.MulticlassClassification.Trainers.Transformer(options).Fit(data);
        var ends = recorder.Reports.Where(p => p.EpochEnd).ToList();
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, ends.Select(p => p.Epoch).ToArray());
        // No validation set: a tenth (10 rows) is held out by default, so ceil(90 / 32) = 3 steps per epoch, validated.
        CollectionAssert.AreEqual(new long[] { 3, 6, 9 }, ends.Select(p => p.Step).ToArray(), "ceil(90 / 32) steps per epoch");
        Assert.IsTrue(ends.All(p => p.TotalSteps == 9 && p.TokensPerSecond > 0 && double.IsFinite(p.Loss) && p.ValidationAccuracy is not null));

        using var cts = new CancellationTokenSource();
        var cancelled = Small(PositionEncoding.Rotary(), 3);
        var seen = new Recorder(p => { if (p.EpochEnd) cts.Cancel(); });
        cancelled.Progress = seen;
        cancelled.CancellationToken = cts.Token;
        try
        {
            ml.MulticlassClassification.Trainers.Transformer(cancelled).Fit(data);
            Assert.Fail("Fit should have been cancelled");
        }
        catch (OperationCanceledException)
        {
        }
        Assert.AreEqual(1, seen.Reports.Count(p => p.EpochEnd), "training stopped in the epoch after the cancel");
    }

    [TestMethod]
    public void EarlyStopping_KeepsTheBestEpochsWeights()
    {
        // Validation labels are the opposite of the training rule, so the better the model learns the training task,
        // the worse it validates: the best epoch is an early one, and the returned weights must be that epoch's.
        var ml = new MLContext(1);
        var trainRows = OrderTask.Ids(300, 6);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(trainRows));
        var flipped = OrderTask.Ids(100, 7).Select(r => new TokenRow { Label = r.Label == "alpha-first" ? "beta-first" : "alpha-first", Tokens = r.Tokens }).ToList();
        var validation = Keyed(ml, flipped, keys);
        var options = Small(PositionEncoding.Rotary(), 8);
        options.ValidationSet = validation;
        options.EarlyStoppingPatience = 2;
        var recorder = new Recorder();
        options.Progress = recorder;
        var model = ml.MulticlassClassification.Trainers.Transformer(options).Fit(Keyed(ml, trainRows, keys));

        var ends = recorder.Reports.Where(p => p.EpochEnd).ToList();
        Assert.IsTrue(ends.Count < 8, $"stopped early ({ends.Count} epochs)");
        Assert.AreEqual(ends.Count, model.Model.EpochsTrained);
        var best = KeptEpoch(ends, 100);
        Assert.AreEqual(best.Epoch, model.Model.BestEpoch);
        Assert.AreNotEqual(ends[^1].Epoch, model.Model.BestEpoch, "the last epoch was worse than the best");

        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(validation));
        Assert.AreEqual(best.ValidationAccuracy!.Value, metrics.MicroAccuracy, 1e-12);
        Assert.AreEqual(best.ValidationLogLoss!.Value, metrics.LogLoss, 1e-5);
        Assert.AreNotEqual(ends[^1].ValidationLogLoss!.Value, metrics.LogLoss, 1e-4);
    }

    [TestMethod]
    public void WithoutAValidationSet_ATenthIsHeldOut_UnlessTurnedOffGivenOrTooFewRows()
    {
        var ml = new MLContext(1);
        var rows = OrderTask.Ids(200, 8);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows));
        (long StepsPerEpoch, bool Validated, int BestEpoch) Run(List<TokenRow> train, Action<TransformerClassifierOptions> set)
        {
            var options = Small(PositionEncoding.Rotary(), 2);
            options.EarlyStoppingPatience = 0;
            var recorder = new Recorder();
            options.Progress = recorder;
            set(options);
            var model = ml.MulticlassClassification.Trainers.Transformer(options).Fit(Keyed(ml, train, keys)).Model;
            var first = recorder.Reports.First(p => p.EpochEnd);
            return (first.Step, first.ValidationAccuracy is not null, model.BestEpoch);
        }

        // Default: 20 of 200 rows held out, ceil(180 / 32) = 6 steps; in memory and streamed alike.
        var held = Run(rows, _ => { });
        Assert.AreEqual(6, held.StepsPerEpoch);
        Assert.IsTrue(held.Validated && held.BestEpoch is 1 or 2);
        var streamed = Run(rows, o => o.StreamingBufferRows = 64);
        Assert.AreEqual((6L, true), (streamed.StepsPerEpoch, streamed.Validated), "streamed: the same tenth held out");
        // Off: every row trains, ceil(200 / 32) = 7 steps, no validation (the last epoch kept).
        Assert.AreEqual((7L, false, 0), Run(rows, o => o.ValidationFraction = 0), "no best epoch without validation");
        // A validation set given: nothing held out.
        var given = Run(rows, o => o.ValidationSet = Keyed(ml, OrderTask.Ids(40, 9), keys));
        Assert.AreEqual((7L, true), (given.StepsPerEpoch, given.Validated));
        // Under 50 rows nothing is held out: 49 rows, 2 steps.
        Assert.AreEqual((2L, false, 0), Run(rows.Take(49).ToList(), _ => { }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Run(rows, o => o.ValidationFraction = 1)).Message, "Option 'ValidationFraction'");
    }

    [TestMethod]
    public void HeldOutTenthChoosesTheEpochs_ThenEveryRowTrains()
    {
        var ml = new MLContext(1);
        var rows = OrderTask.Ids(300, 12);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows));
        var data = Keyed(ml, rows, keys);
        TransformerClassifierModelParameters Fit(Action<TransformerClassifierOptions> set, Recorder? recorder = null)
        {
            var options = Small(PositionEncoding.Rotary(), 8);
            options.EarlyStoppingPatience = 2;
            options.Progress = recorder;
            set(options);
            return ml.MulticlassClassification.Trainers.Transformer(options).Fit(data).Model;
        }

        var recorder = new Recorder();
        var refit = Fit(o => o.RefitOnAllRows = true, recorder);
        Assert.IsTrue(refit.RefittedOnAllRows);
        Assert.IsTrue(refit.BestEpoch >= 1);
        // The second run: every row (ceil(300 / 32) = 10 steps an epoch, against 9 for the 270 kept in the first run),
        // BestEpoch epochs, no validation metrics.
        var ends = recorder.Reports.Where(p => p.EpochEnd).ToList();
        var second = ends.Skip(refit.EpochsTrained).ToList();
        Assert.AreEqual(refit.BestEpoch, second.Count);
        Assert.AreEqual(9L, ends[0].Step);
        Assert.AreEqual(10L * refit.BestEpoch, second[^1].Step);
        Assert.IsTrue(second.All(p => p.ValidationAccuracy is null));

        // It is exactly the model trained on every row for that many epochs, with the same seed.
        var direct = Fit(o => { o.ValidationFraction = 0; o.Epochs = refit.BestEpoch; });
        var test = OrderTask.Ids(50, 13);
        Span<float> a = stackalloc float[2], b = stackalloc float[2];
        foreach (var row in test)
        {
            refit.Predict(row.Tokens, a);
            direct.Predict(row.Tokens, b);
            CollectionAssert.AreEqual(b.ToArray(), a.ToArray());
        }
        Assert.IsFalse(direct.RefittedOnAllRows);

        // Off (the default): the kept epoch's weights of the first run, which differ.
        var kept = Fit(_ => { });
        Assert.IsFalse(kept.RefittedOnAllRows);
        Assert.AreEqual(refit.BestEpoch, kept.BestEpoch);
        kept.Predict(test[0].Tokens, b);
        refit.Predict(test[0].Tokens, a);
        CollectionAssert.AreNotEqual(b.ToArray(), a.ToArray());

        // The flag is saved with the model.
        var path = Path.Combine(Path.GetTempPath(), $"mlc-refit-{Guid.NewGuid():N}.zip");
        try
        {
            var saved = Small(PositionEncoding.Rotary(), 3);
            saved.RefitOnAllRows = true;
            var model = ml.MulticlassClassification.Trainers.Transformer(saved).Fit(data);
            ml.Model.Save(model, data.Schema, path);
            var loaded = (MulticlassPredictionTransformer<TransformerClassifierModelParameters>)ml.Model.Load(path, out _);
            Assert.AreEqual(model.Model.RefittedOnAllRows, loaded.Model.RefittedOnAllRows);
            Assert.IsTrue(loaded.Model.RefittedOnAllRows);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string FirstLabel(List<TokenRow> rows, int key) => rows.Select(r => r.Label).Distinct().ElementAt(key);

    public sealed class FloatRow
    {
        public string Label { get; set; } = "";

        public float[] Tokens { get; set; } = [];
    }
}
