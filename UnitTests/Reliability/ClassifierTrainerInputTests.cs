using MLComponents.Trainers;
using static MLComponents.UnitTests.Reliability.InputTestKit;

namespace MLComponents.UnitTests.Reliability;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// <c>ml.MulticlassClassification.Trainers.Transformer</c> against hostile data and options: hostile text trains a finite model
/// (a null text exactly as an empty one),
/// missing labels are skipped and counted, numeric labels keep NaN missing and Infinity/negatives as classes, labels unseen in
/// training stay out of ML.NET's metrics, too few classes or rows and every option past its limit fail naming the column or
/// option, Cls pooling over rows without a CLS token names the first such row, and a run that diverges throws instead of returning NaN weights.
/// </summary>
[TestClass]
public sealed class ClassifierTrainerInputTests
{
    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void HostileTextInTraining_TrainsAFiniteModel_CountsTruncation_AndScoresItAfterReload(string name)
    {
        var ml = new MLContext(seed: 1);
        var rows = WhoDidIt(48);
        rows.Add(new LabelledRow { Label = "cat", Text = HostileText.Get(name) });
        var data = ml.Data.LoadFromEnumerable(rows);

        // The tokenizer keeps 64 ids, the model 16: only the 5 MB line is longer than 16 tokens.
        var model = ClassifierPipeline(ml, TinyClassifier(), maxTokens: 64).Fit(data);

        var classifier = ClassifierOf(model);
        Assert.AreEqual(name == "5 MB line" ? 1 : 0, classifier.TruncatedTrainingSequences);
        Assert.AreEqual(0, classifier.SkippedTrainingRows);
        var scores = Floats(model.Transform(data), "Score");
        Assert.IsTrue(scores.All(s => s.All(float.IsFinite) && Math.Abs(s.Sum() - 1) < 1e-4), "every row scores finite probabilities");
        var reloaded = Floats(RoundTrip(model, data.Schema).Transform(data), "Score");
        CollectionAssert.AreEqual(scores[^1], reloaded[^1], "the hostile row scores the same after save and load");
    }

    [TestMethod]
    public void NullText_TrainsAndScoresExactlyAsEmptyText()
    {
        var ml = new MLContext(seed: 1);
        var withNull = WhoDidIt(24);
        withNull[5].Text = null;
        var withEmpty = WhoDidIt(24);
        withEmpty[5].Text = "";
        var nullData = ml.Data.LoadFromEnumerable(withNull);
        var emptyData = ml.Data.LoadFromEnumerable(withEmpty);

        var fromNull = ClassifierPipeline(ml, TinyClassifier()).Fit(nullData);
        var fromEmpty = ClassifierPipeline(ml, TinyClassifier()).Fit(emptyData);

        var expected = Floats(fromEmpty.Transform(emptyData), "Score");
        var scores = Floats(fromNull.Transform(nullData), "Score");
        for (int i = 0; i < expected.Count; i++) CollectionAssert.AreEqual(expected[i], scores[i], $"row {i}: the same model, bit for bit");
        CollectionAssert.AreEqual(expected[5], Floats(fromEmpty.Transform(nullData), "Score")[5], "a null text scores as an empty one");
        Assert.IsTrue(expected[5].All(float.IsFinite));
    }

    [TestMethod]
    [DataRow(0, DisplayName = "in memory")]
    [DataRow(32, DisplayName = "streamed")]
    public void ClsPooling_RefusesRowsWithoutTheSameFirstToken_NamingTheColumnAndRow_AndTrainsWithTheClsToken(int streamingBufferRows)
    {
        var ml = new MLContext(seed: 1);
        var rows = WhoDidIt(40);
        rows[0].Text = "zebra " + rows[0].Text;                       // no other row starts with this word
        var options = TinyClassifier();
        options.Pooling = MLComponents.Engine.Pooling.Cls;
        options.StreamingBufferRows = streamingBufferRows;
        var data = ml.Data.LoadFromEnumerable(rows);

        var bad = Assert.ThrowsExactly<InvalidDataException>(() => ClassifierPipeline(ml, options).Fit(data));
        StringAssert.Contains(bad.Message, "Column 'Tokens', training row 1 starts with token id");
        StringAssert.Contains(bad.Message, "row 0 starts with");
        StringAssert.Contains(bad.Message, "addClsToken: true");

        rows[0].Text = "";
        var empty = Assert.ThrowsExactly<InvalidDataException>(() => ClassifierPipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(empty.Message, "Column 'Tokens', training row 0: the row has no tokens");

        var withCls = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16, addClsToken: true))
            .Append(ml.MulticlassClassification.Trainers.Transformer(options))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.IsTrue(Floats(withCls.Transform(data), "Score").All(r => r.All(float.IsFinite)), "with the CLS token it trains and scores");
    }

    [TestMethod]
    public void MissingLabels_AreSkippedAndCounted_AndTheCountIsSaved()
    {
        var ml = new MLContext(seed: 1);
        var rows = WhoDidIt(40);
        for (int i = 0; i < rows.Count; i += 8) rows[i].Label = i % 16 == 0 ? null : "";
        var data = ml.Data.LoadFromEnumerable(rows);

        var model = ClassifierPipeline(ml, TinyClassifier()).Fit(data);

        Assert.AreEqual(5, ClassifierOf(model).SkippedTrainingRows, "rows 0, 8, 16, 24, 32 have a null or empty label");
        Assert.AreEqual(5, ClassifierOf(RoundTrip(model, data.Schema)).SkippedTrainingRows, "after save and load");
    }

    [TestMethod]
    public void NumericLabels_NaNIsMissing_InfinityAndNegativeNumbersAreClasses()
    {
        var ml = new MLContext(seed: 1);
        float[] labels = [-1f, 2.5f, float.PositiveInfinity, float.NaN];
        var rows = WhoDidIt(40).Select((r, i) => new NumberLabelledRow { Label = labels[i % 4], Text = r.Text! }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);

        var model = ClassifierPipeline(ml, TinyClassifier()).Fit(data);

        var classifier = ClassifierOf(model);
        Assert.AreEqual(3, classifier.ClassCount, "-1, 2.5 and Infinity");
        Assert.AreEqual(10, classifier.SkippedTrainingRows, "the NaN rows");
        var predicted = model.Transform(data).GetColumn<float>("PredictedLabel").ToList();
        Assert.IsTrue(predicted.All(p => p is -1f or 2.5f or float.PositiveInfinity), "predictions are the label values");
    }

    [TestMethod]
    public void LabelsUnseenInTraining_AreLeftOutOfMLNetsMetrics()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(WhoDidIt(64));
        var model = ClassifierPipeline(ml, TinyClassifier(epochs: 2)).Fit(train);
        var seen = WhoDidIt(32, seed: 2);
        var withUnseen = seen.Concat([new LabelledRow { Label = "emu", Text = "the emu chased the cat" }, new LabelledRow { Label = "yak", Text = "a yak" }]).ToList();

        var scored = model.Transform(ml.Data.LoadFromEnumerable(withUnseen));
        var all = ml.MulticlassClassification.Evaluate(scored);
        var known = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(seen)));

        Assert.AreEqual(2, scored.GetColumn<uint>("Label").Count(k => k == 0), "unseen labels map to the missing key");
        Assert.AreEqual(known.MicroAccuracy, all.MicroAccuracy, "the metrics of the seen rows alone");
        Assert.AreEqual(known.LogLoss, all.LogLoss, 1e-12);
        Assert.IsTrue(Floats(scored, "Score").All(s => s.All(float.IsFinite)), "the unseen rows are still scored");
    }

    [TestMethod]
    public void OneClassOnly_ThrowsNamingTheLabelColumn()
    {
        var ml = new MLContext(seed: 1);
        var rows = WhoDidIt(20).Select(r => new LabelledRow { Label = "cat", Text = r.Text }).ToList();

        var e = Assert.ThrowsExactly<SchemaException>(() => ClassifierPipeline(ml, TinyClassifier()).Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.AreEqual("Column 'Label' is a key of 1 value; a classifier needs at least 2 classes.", e.Message);
    }

    [TestMethod]
    public void ZeroRows_ThrowNamingTheLabelColumn()
    {
        var ml = new MLContext(seed: 1);
        // Keys learned elsewhere: the classes exist, the training rows do not.
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(WhoDidIt(20)));
        var tokens = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(ml.Data.LoadFromEnumerable(WhoDidIt(20)));
        var empty = tokens.Transform(keys.Transform(ml.Data.LoadFromEnumerable(new List<LabelledRow>())));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.Transformer(TinyClassifier()).Fit(empty));
        Assert.AreEqual("No training rows with a label in column 'Label' (empty data, or only missing labels).", e.Message);

        // With nothing at all, MapValueToKey learns no class.
        var none = Assert.ThrowsExactly<SchemaException>(() => ClassifierPipeline(ml, TinyClassifier()).Fit(ml.Data.LoadFromEnumerable(new List<LabelledRow>())));
        Assert.AreEqual("Label", none.ColumnName);
    }

    [TestMethod]
    public void OneRow_TrainsOneStepPerEpoch_AndScoresFinite()
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(WhoDidIt(20)));
        var one = ml.Data.LoadFromEnumerable(WhoDidIt(1));
        var steps = new List<long>();
        var options = TinyClassifier(epochs: 3);
        options.Progress = new Progress(p => steps.Add(p.Step));

        var keyed = keys.Transform(one);
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Append(ml.MulticlassClassification.Trainers.Transformer(options)).Fit(keyed);

        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, steps, "one batch of one row per epoch");
        Assert.IsTrue(Floats(model.Transform(keyed), "Score").Single().All(float.IsFinite));
    }

    public static IEnumerable<object[]> RefusedOptions =>
    [
        ["Layers 0", Set(o => o.Layers = 0), "Layers"],
        ["ModelDimension 0", Set(o => o.ModelDimension = 0), "ModelDimension"],
        ["Heads 3 (8 % 3 != 0)", Set(o => o.Heads = 3), "Heads"],
        ["FeedForwardDimension -1", Set(o => o.FeedForwardDimension = -1), "FeedForwardDimension"],
        ["Dropout 1", Set(o => o.Dropout = 1), "Dropout"],
        ["Dropout NaN", Set(o => o.Dropout = float.NaN), "Dropout"],
        ["MaxTokens 0", Set(o => o.MaxTokens = 0), "MaxTokens"],
        ["VocabularySize -1", Set(o => o.VocabularySize = -1), "VocabularySize"],
        ["PositionEncoding null", Set(o => o.PositionEncoding = null!), "PositionEncoding"],
        ["Epochs 0", Set(o => o.Epochs = 0), "Epochs"],
        ["BatchSize 0", Set(o => o.BatchSize = 0), "BatchSize"],
        ["LearningRate 0", Set(o => o.LearningRate = 0), "LearningRate"],
        ["LearningRate NaN", Set(o => o.LearningRate = float.NaN), "LearningRate"],
        ["LearningRate Infinity", Set(o => o.LearningRate = float.PositiveInfinity), "LearningRate"],
        ["WeightDecay -1", Set(o => o.WeightDecay = -1), "WeightDecay"],
        ["WeightDecay Infinity", Set(o => o.WeightDecay = float.PositiveInfinity), "WeightDecay"],
        ["WarmupFraction 1.5", Set(o => o.WarmupFraction = 1.5f), "WarmupFraction"],
        ["GradientClipNorm NaN", Set(o => o.GradientClipNorm = float.NaN), "GradientClipNorm"],
        ["LabelSmoothing 1", Set(o => o.LabelSmoothing = 1), "LabelSmoothing"],
        ["EmbeddingMeanPull -1", Set(o => o.EmbeddingMeanPull = -1), "EmbeddingMeanPull"],
        ["EmbeddingMeanPull NaN", Set(o => o.EmbeddingMeanPull = float.NaN), "EmbeddingMeanPull"],
        ["EmbeddingMeanPull x LearningRate 1 (3e-3 x 334)", Set(o => o.EmbeddingMeanPull = 334), "EmbeddingMeanPull"],
        ["EmbeddingMeanPull left null (RoPE's default 20) x LearningRate 0.05", Set(o => o.LearningRate = 0.05f), "EmbeddingMeanPull"],
        ["EmbeddingMeanPullStart -0.1", Set(o => o.EmbeddingMeanPullStart = -0.1f), "EmbeddingMeanPullStart"],
        ["EmbeddingMeanPullStart 1", Set(o => o.EmbeddingMeanPullStart = 1), "EmbeddingMeanPullStart"],
        ["EmbeddingMeanPullStart NaN", Set(o => o.EmbeddingMeanPullStart = float.NaN), "EmbeddingMeanPullStart"],
        ["LogLengthScaleBiases without LogLengthScale", Set(o => o.LogLengthScaleBiases = true), "LogLengthScaleBiases"],
        ["Threads -1", Set(o => o.Threads = -1), "Threads"],
        ["Threads 1025", Set(o => o.Threads = 1025), "Threads"],
        ["Threads int.MaxValue", Set(o => o.Threads = int.MaxValue), "Threads"],
        ["EarlyStoppingPatience -1", Set(o => o.EarlyStoppingPatience = -1), "EarlyStoppingPatience"],
        ["ProgressInterval -1", Set(o => o.ProgressInterval = -1), "ProgressInterval"],
        ["BucketBatches 0", Set(o => o.BucketBatches = 0), "BucketBatches"],
        ["Pooling undefined", Set(o => o.Pooling = (MLComponents.Engine.Pooling)99), "Pooling"],
        ["Schedule undefined", Set(o => o.Schedule = (MLComponents.Engine.LearningRateDecay)99), "Schedule"],
        ["Backend undefined", Set(o => o.Backend = (MLComponents.Engine.TransformerBackend)99), "Backend"],
        ["Device empty", Set(o => o.Device = ""), "Device"],
        ["LabelColumnName empty", Set(o => o.LabelColumnName = ""), "LabelColumnName"],
        ["ClassWeights NaN", Set(o => o.ClassWeights = [float.NaN, 1, 1, 1]), "ClassWeights[0]"],
        ["ClassWeights Infinity", Set(o => o.ClassWeights = [1, float.PositiveInfinity, 1, 1]), "ClassWeights[1]"],
        ["ClassWeights negative", Set(o => o.ClassWeights = [1, 1, -1, 1]), "ClassWeights[2]"],
        ["ClassWeights all zero", Set(o => o.ClassWeights = [0, 0, 0, 0]), "ClassWeights"],
        ["ClassWeights for 2 of 4 classes", Set(o => o.ClassWeights = [1, 1]), "ClassWeights"],
        ["RoPE with head dimension 1", Set(o => o.Heads = 8), "PositionEncoding"],
        ["learned table shorter than MaxTokens", Set(o => o.PositionEncoding = PositionEncoding.Learned(maxPositions: 4)), "PositionEncoding"],
        ["MaxTokens 100,000 (attention of a batch)", Set(o => o.MaxTokens = 100_000), "MaxTokens"],
        ["MaxTokens int.MaxValue", Set(o => o.MaxTokens = int.MaxValue), "MaxTokens"],
        ["VocabularySize int.MaxValue", Set(o => o.VocabularySize = int.MaxValue), "VocabularySize"],
        ["FeedForwardDimension int.MaxValue", Set(o => o.FeedForwardDimension = int.MaxValue), "FeedForwardDimension"],
        ["ModelDimension 2^20 (memory)", Set(o => { o.ModelDimension = 1 << 20; o.Heads = 1; o.PositionEncoding = PositionEncoding.None(); }), "options"],
        ["Layers 100,000,000 (memory)", Set(o => o.Layers = 100_000_000), "options"],
    ];

    private static Action<TransformerClassifierOptions> Set(Action<TransformerClassifierOptions> set) => set;

    [TestMethod]
    [DynamicData(nameof(RefusedOptions))]
    public void OptionsPastTheirLimits_ThrowNamingTheOption_BeforeTraining(string what, Action<TransformerClassifierOptions> set, string option)
    {
        var ml = new MLContext(seed: 1);
        var options = TinyClassifier();
        set(options);
        var data = ml.Data.LoadFromEnumerable(WhoDidIt(24));

        var e = Assert.Throws<ArgumentException>(() => ClassifierPipeline(ml, options).Fit(data), what);

        Assert.AreEqual(option, e.ParamName, $"{what}: {e.Message}");
        if (option != "options") StringAssert.Contains(e.Message, option.Split('[')[0], what);
    }

    public static IEnumerable<object[]> LimitOptions =>
    [
        ["Epochs 1, BatchSize 1: one step per row", Set(o => o.BatchSize = 1), 24L],
        ["BatchSize int.MaxValue: one batch", Set(o => o.BatchSize = int.MaxValue), 1L],
        ["MaxTokens 1", Set(o => o.MaxTokens = 1), 2L],
        ["head dimension 2 (RoPE's least)", Set(o => o.Heads = 4), 2L],
        ["Dropout 0.999", Set(o => o.Dropout = 0.999f), 2L],
        ["LabelSmoothing 0.999", Set(o => o.LabelSmoothing = 0.999f), 2L],
        ["EmbeddingMeanPull x LearningRate 0.99 (3e-3 x 330)", Set(o => o.EmbeddingMeanPull = 330), 2L],
        ["EmbeddingMeanPull 330 from the first update (EmbeddingMeanPullStart 0)", Set(o => { o.EmbeddingMeanPull = 330; o.EmbeddingMeanPullStart = 0; }), 2L],
        ["LearningRate 0.05 with T5, whose default pull is 0", Set(o => { o.LearningRate = 0.05f; o.PositionEncoding = PositionEncoding.T5Bias(); }), 2L],
        ["EmbeddingMeanPullStart 0.999 (no update pulls)", Set(o => o.EmbeddingMeanPullStart = 0.999f), 2L],
        ["WarmupFraction 1", Set(o => o.WarmupFraction = 1), 2L],
        ["GradientClipNorm 0 (no clipping)", Set(o => o.GradientClipNorm = 0), 2L],
        ["GradientClipNorm Infinity", Set(o => o.GradientClipNorm = float.PositiveInfinity), 2L],
        ["ClassWeights one class only", Set(o => o.ClassWeights = [0, 0, 1, 0]), 2L],
        ["Seed int.MinValue", Set(o => o.Seed = int.MinValue), 2L],
        ["ProgressInterval 0 (epoch ends only)", Set(o => o.ProgressInterval = 0), 2L],
        ["learned table of exactly MaxTokens", Set(o => o.PositionEncoding = PositionEncoding.Learned(maxPositions: 16)), 2L],
    ];

    [TestMethod]
    [DataRow("rope", 20f)]
    [DataRow("fire", 20f)]
    [DataRow("t5", 0f)]
    [DataRow("alibi", 0f)]
    public void EmbeddingMeanPullLeftNull_TrainsAsTheSchemesDefault(string scheme, float expected)
    {
        // Four epochs of two batches: the pull starts after update 2 of 8, so a pull that did not reach the engine, or
        // reached it at another value, changes the scores.
        PositionEncoding encoding = PositionEncoding.FromKind(scheme);
        float[][] Scores(float? pull)
        {
            var ml = new MLContext(seed: 1);
            var options = TinyClassifier(epochs: 4);
            options.PositionEncoding = encoding;
            options.EmbeddingMeanPull = pull;
            var data = ml.Data.LoadFromEnumerable(WhoDidIt(24));
            return [.. Floats(ClassifierPipeline(ml, options).Fit(data).Transform(data), "Score")];
        }

        Assert.AreEqual(expected, TransformerClassifierOptions.DefaultEmbeddingMeanPull(encoding));
        var byDefault = Scores(null);
        var asDefault = Scores(expected);
        var other = Scores(expected == 0 ? 20f : 0f);
        for (int i = 0; i < byDefault.Length; i++) CollectionAssert.AreEqual(asDefault[i], byDefault[i], $"{scheme}, row {i}: null trains as {expected}");
        Assert.IsTrue(Enumerable.Range(0, byDefault.Length).Any(i => !byDefault[i].SequenceEqual(other[i])), $"{scheme}: the other value trains another model");
    }

    [TestMethod]
    [DynamicData(nameof(LimitOptions))]
    public void OptionsAtTheirLimits_Train_AndScoreFinite(string what, Action<TransformerClassifierOptions> set, long steps)
    {
        var ml = new MLContext(seed: 1);
        var options = TinyClassifier();
        set(options);
        var last = 0L;
        options.Progress = new Progress(p => last = p.Step);
        var data = ml.Data.LoadFromEnumerable(WhoDidIt(24));

        var model = ClassifierPipeline(ml, options).Fit(data);

        Assert.AreEqual(steps, last, $"{what}: optimiser steps");
        Assert.IsTrue(Floats(model.Transform(data), "Score").All(s => s.All(float.IsFinite)), what);
    }

    [TestMethod]
    public void DivergingTraining_ThrowsNamingTheParameterAndWhereTheLossWentNaN_InsteadOfReturningNaNWeights()
    {
        var ml = new MLContext(seed: 1);
        var options = TinyClassifier(epochs: 2);
        options.LearningRate = 1e30f;
        options.EmbeddingMeanPull = 0;   // RoPE's default pull x this rate would be refused before training
        options.ProgressInterval = 1;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ClassifierPipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(WhoDidIt(48))));

        StringAssert.StartsWith(e.Message, "TransformerClassifier: training diverged: parameter '");
        StringAssert.Contains(e.Message, "; the mean training loss was first ");
        StringAssert.Contains(e.Message, " in epoch 1, over steps ");
        StringAssert.Contains(e.Message, "Lower option 'LearningRate' (1E+30)");
    }

    /// <summary>Synchronous progress (System.Progress posts to the thread pool).</summary>
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
