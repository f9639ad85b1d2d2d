using MLComponents.Trainers;
using static MLComponents.UnitTests.Reliability.InputTestKit;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// The raw-text overloads shaped like Microsoft.ML.TorchSharp's (<c>TextClassification</c>, raw <c>SentenceSimilarity</c>): hostile
/// text trains and scores (a null text exactly as an empty one), too few rows or classes name the label column, missing labels
/// are counted, and options past their limits fail when the trainer is created, naming the option.
/// </summary>
[TestClass]
public sealed class RawTextTrainerInputTests
{
    public sealed class SentenceRow
    {
        public string? Label { get; set; }

        public string? Sentence1 { get; set; }

        public string? Sentence2 { get; set; }
    }

    private static TextClassificationOptions Tiny() => new()
    {
        Layers = 1, ModelDimension = 8, Heads = 2, FeedForwardDimension = 16, Dropout = 0f, MaxTokens = 16, Epochs = 1, BatchSize = 16, Seed = 1, Threads = 1,
    };

    private static List<SentenceRow> Sentences(int count) =>
        [.. WhoDidIt(count).Select(r => new SentenceRow { Label = r.Label, Sentence1 = r.Text, Sentence2 = "and that was that" })];

    private static IEstimator<ITransformer> Classifier(MLContext ml, TextClassificationOptions options) =>
        ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.TextClassification(options));

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void TextClassification_HostileTextInEitherSentence_TrainsAndScoresFinite_TheSameAfterReload(string name)
    {
        var ml = new MLContext(seed: 1);
        var rows = Sentences(32);
        rows.Add(new SentenceRow { Label = "cat", Sentence1 = HostileText.Get(name), Sentence2 = "the cat sat" });
        rows.Add(new SentenceRow { Label = "dog", Sentence1 = "the dog sat", Sentence2 = HostileText.Get(name) });
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Tiny();
        options.Sentence2ColumnName = "Sentence2";

        var model = Classifier(ml, options).Fit(data);

        var scores = Floats(model.Transform(data), "Score");
        Assert.IsTrue(scores.All(s => s.All(float.IsFinite) && Math.Abs(s.Sum() - 1) < 1e-4));
        var reloaded = Floats(RoundTrip(model, data.Schema).Transform(data), "Score");
        CollectionAssert.AreEqual(scores[^2], reloaded[^2]);
        CollectionAssert.AreEqual(scores[^1], reloaded[^1]);
    }

    [TestMethod]
    [DataRow("Sentence1")]
    [DataRow("Sentence2")]
    public void TextClassification_NullText_TrainsAndScoresExactlyAsEmptyText(string column)
    {
        var ml = new MLContext(seed: 1);
        List<SentenceRow> Rows(string? missing)
        {
            var rows = Sentences(16);
            if (column == "Sentence1") rows[6].Sentence1 = missing;
            else rows[6].Sentence2 = missing;
            return rows;
        }
        var nullData = ml.Data.LoadFromEnumerable(Rows(null));
        var emptyData = ml.Data.LoadFromEnumerable(Rows(""));
        var options = Tiny();
        options.Sentence2ColumnName = "Sentence2";

        var fromNull = Classifier(ml, options).Fit(nullData);
        var fromEmpty = Classifier(ml, options).Fit(emptyData);

        var expected = Floats(fromEmpty.Transform(emptyData), "Score");
        var scores = Floats(fromNull.Transform(nullData), "Score");
        for (int i = 0; i < expected.Count; i++) CollectionAssert.AreEqual(expected[i], scores[i], $"row {i}: the same model, bit for bit");
        CollectionAssert.AreEqual(expected[6], Floats(fromEmpty.Transform(nullData), "Score")[6], "a null text scores as an empty one");
    }

    [TestMethod]
    public void TextClassification_ClsPooling_TokenisesWithAClsTokenFirst_SoTheRowsPassTheClsRule_AndScoresTheSameAfterReload()
    {
        var ml = new MLContext(seed: 1);
        var rows = Sentences(32);
        rows[0].Sentence1 = "zebra " + rows[0].Sentence1;             // rows 0 and 1 start with different words
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Tiny();
        options.Pooling = MLComponents.Engine.Pooling.Cls;

        // The classifier refuses Cls pooling over rows that do not all start with one token (ClsTokenRule); the raw-text
        // estimator owns its tokenizer, so it has to put the CLS token there itself.
        var model = Classifier(ml, options).Fit(data);

        var scores = Floats(model.Transform(data), "Score");
        Assert.IsTrue(scores.All(s => s.All(float.IsFinite)));
        var reloaded = Floats(RoundTrip(model, data.Schema).Transform(data), "Score");
        for (int i = 0; i < scores.Count; i++) CollectionAssert.AreEqual(scores[i], reloaded[i], $"row {i}: the same after save and load (the CLS token is part of the saved tokenizer)");
    }

    [TestMethod]
    public void TextClassification_MissingLabelsAreCounted_OneClassAndZeroRowsNameTheLabelColumn()
    {
        var ml = new MLContext(seed: 1);
        var rows = Sentences(30);
        rows[4].Label = "";
        rows[9].Label = null;
        var model = Classifier(ml, Tiny()).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.AreEqual(2, ClassifierOf(model).SkippedTrainingRows);

        var oneClass = Sentences(10).Select(r => new SentenceRow { Label = "cat", Sentence1 = r.Sentence1 }).ToList();
        Assert.AreEqual("Label", Assert.ThrowsExactly<SchemaException>(() => Classifier(ml, Tiny()).Fit(ml.Data.LoadFromEnumerable(oneClass))).ColumnName);
        Assert.AreEqual("Label", Assert.ThrowsExactly<SchemaException>(() => Classifier(ml, Tiny()).Fit(ml.Data.LoadFromEnumerable(new List<SentenceRow>()))).ColumnName);
    }

    public static IEnumerable<object[]> RefusedClassificationOptions =>
    [
        ["batchSize 0", (Func<MLContext, object>)(ml => ml.MulticlassClassification.Trainers.TextClassification(batchSize: 0)), "BatchSize"],
        ["maxEpochs 0", (Func<MLContext, object>)(ml => ml.MulticlassClassification.Trainers.TextClassification(maxEpochs: 0)), "Epochs"],
        ["sentence1ColumnName empty", (Func<MLContext, object>)(ml => ml.MulticlassClassification.Trainers.TextClassification(sentence1ColumnName: "")), "Sentence1ColumnName"],
        ["MaxTokens 0", (Func<MLContext, object>)(ml => ml.MulticlassClassification.Trainers.TextClassification(new TextClassificationOptions { MaxTokens = 0 })), "MaxTokens"],
        ["MaxVocabularySize 0", (Func<MLContext, object>)(ml => ml.MulticlassClassification.Trainers.TextClassification(new TextClassificationOptions { MaxVocabularySize = 0 })), "MaxVocabularySize"],
        ["LearningRate Infinity", (Func<MLContext, object>)(ml => ml.MulticlassClassification.Trainers.TextClassification(new TextClassificationOptions { LearningRate = float.PositiveInfinity })), "LearningRate"],
        ["sentence2ColumnName empty", (Func<MLContext, object>)(ml => ml.MulticlassClassification.Trainers.TextClassification(sentence2ColumnName: "")), "secondInputColumnName"],
        ["similarity batchSize 0", (Func<MLContext, object>)(ml => ml.Regression.Trainers.SentenceSimilarity(batchSize: 0)), "BatchSize"],
        ["similarity maxEpochs 0", (Func<MLContext, object>)(ml => ml.Regression.Trainers.SentenceSimilarity(maxEpochs: 0)), "Epochs"],
        ["similarity sentence2ColumnName empty", (Func<MLContext, object>)(ml => ml.Regression.Trainers.SentenceSimilarity(sentence2ColumnName: "")), "sentence2ColumnName"],
        ["similarity labelColumnName empty", (Func<MLContext, object>)(ml => ml.Regression.Trainers.SentenceSimilarity(labelColumnName: "")), "LabelColumnName"],
    ];

    [TestMethod]
    [DynamicData(nameof(RefusedClassificationOptions))]
    public void OptionsPastTheirLimits_ThrowWhenTheTrainerIsCreated_NamingTheOption(string what, Func<MLContext, object> create, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => create(new MLContext(seed: 1)), what);

        Assert.AreEqual(option, e.ParamName, $"{what}: {e.Message}");
    }

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void SentenceSimilarity_HostileText_TrainsAndScoresFinite_TheSameAfterReload(string name)
    {
        var ml = new MLContext(seed: 1);
        var rows = Pairs(24);
        rows.Add(new TextPairRow { Sentence1 = HostileText.Get(name), Sentence2 = "the cat saw the dog", Label = 0.5f });
        var data = ml.Data.LoadFromEnumerable(rows);

        var model = ml.Regression.Trainers.SentenceSimilarity(maxEpochs: 1, batchSize: 8).Fit(data);

        var scores = Floats(model.Transform(data), "Score").Select(s => s[0]).ToList();
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.AreEqual(scores[^1], Floats(RoundTrip(model, data.Schema).Transform(data), "Score")[^1][0]);
    }

    [TestMethod]
    public void SentenceSimilarity_NullTextIsEmptyText_ZeroRowsAndOneRowNameTheLabelColumn()
    {
        // This overload takes its seed from the MLContext, which moves on with every component created: each fit gets a fresh
        // context so that both draw the same seed.
        (ITransformer Model, IDataView Data) Fit(string? missing)
        {
            var context = new MLContext(seed: 1);
            var rows = Pairs(8);
            rows[2].Sentence1 = missing;
            var data = context.Data.LoadFromEnumerable(rows);
            return (context.Regression.Trainers.SentenceSimilarity(maxEpochs: 1).Fit(data), data);
        }
        var (fromNull, nullData) = Fit(null);
        var (fromEmpty, emptyData) = Fit("");

        var expected = Floats(fromEmpty.Transform(emptyData), "Score");
        AllRowsEqual(expected, Floats(fromNull.Transform(nullData), "Score"));
        Assert.AreEqual(expected[2][0], Floats(fromEmpty.Transform(nullData), "Score")[2][0], "a null text scores as an empty one");
        var ml = new MLContext(seed: 1);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() =>
            ml.Regression.Trainers.SentenceSimilarity(maxEpochs: 1).Fit(ml.Data.LoadFromEnumerable(new List<TextPairRow>()))).Message, "column 'Label'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            ml.Regression.Trainers.SentenceSimilarity(maxEpochs: 1).Fit(ml.Data.LoadFromEnumerable(Pairs(1)))).Message, "of column 'Label' (1 training rows) is empty");
    }
}
