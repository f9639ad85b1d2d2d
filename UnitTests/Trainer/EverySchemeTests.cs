using MLComponents.Trainers;
using static MLComponents.UnitTests.Trainer.TrainerTestKit;

namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>Every position scheme trains through an ML.NET pipeline and reloads from ML.NET's .zip bit-identically.</summary>
[TestClass]
public sealed class EverySchemeTests
{
    // Every kind, and the named forms of a kind (the scaled scheme's embedding form).
    public static IEnumerable<object[]> Kinds => PositionEncoding.Names.Select(k => new object[] { k });

    public sealed class PairRow
    {
        public string Sentence1 { get; set; } = "";

        public string Sentence2 { get; set; } = "";

        public float Label { get; set; }
    }

    /// <summary>Test rows beyond the task: an empty text, and one longer than MaxTokens (truncated the same way after reload).</summary>
    private static List<TextRow> TestRows() =>
        [.. OrderTask.Text(30, 62), new TextRow { Label = "alpha-first", Text = "" },
            new TextRow { Label = "beta-first", Text = string.Join(' ', Enumerable.Repeat("w4 beta w5 alpha", 8)) }];

    private static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    private static int[] Bits(IEnumerable<float> values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void Classifier_TrainsInThePipeline_AndReloadsBitIdentically(string kind)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Text(96, 61));
        var test = ml.Data.LoadFromEnumerable(TestRows());
        var options = Small(PositionEncoding.FromName(kind), epochs: 1);
        options.ModelDimension = 16;
        options.FeedForwardDimension = 32;
        options.Dropout = 0.1f;
        var recorder = new Recorder();
        options.Progress = recorder;
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 24))
            .Append(ml.MulticlassClassification.Trainers.Transformer(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel")).Fit(train);
        Assert.IsTrue(recorder.Reports.Any(p => p.EpochEnd && double.IsFinite(p.Loss)), $"{kind}: trained");

        var before = model.Transform(test);
        var loaded = new MLContext(seed: 2).Model.Load(new MemoryStream(Save(ml, model, train.Schema)), out _);
        var after = loaded.Transform(test);
        var scoresBefore = Scores(before);
        var scoresAfter = Scores(after);
        Assert.HasCount(32, scoresAfter);
        for (int r = 0; r < scoresBefore.Count; r++)
        {
            Assert.IsTrue(scoresBefore[r].All(float.IsFinite) && Math.Abs(scoresBefore[r].Sum() - 1) < 1e-5, $"{kind} row {r}: probabilities");
            CollectionAssert.AreEqual(Bits(scoresBefore[r]), Bits(scoresAfter[r]), $"{kind} row {r}: bit-identical scores after reload");
        }
        CollectionAssert.AreEqual(Keys(before, "PredictedLabel"), Keys(after, "PredictedLabel"));
        CollectionAssert.AreEqual(before.GetColumn<ReadOnlyMemory<char>>("PredictedText").Select(m => m.ToString()).ToList(),
            after.GetColumn<ReadOnlyMemory<char>>("PredictedText").Select(m => m.ToString()).ToList());
        var reloaded = ((TransformerChain<ITransformer>)loaded).OfType<MulticlassPredictionTransformer<TransformerClassifierModelParameters>>().Single().Model;
        Assert.AreEqual(PositionEncoding.FromName(kind).ToJson().ToJsonString(), reloaded.PositionEncoding.ToJson().ToJsonString());
    }

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void SentenceSimilarity_TrainsInThePipeline_AndReloadsBitIdentically(string kind)
    {
        var ml = new MLContext(seed: 1);
        var rows = Samples.SentenceSimilarity.AgentPatientPairs.Make(48, seed: 63)
            .Select(p => new PairRow { Sentence1 = string.Join(' ', p.Sentence1), Sentence2 = string.Join(' ', p.Sentence2), Label = p.Label }).ToList();
        var train = ml.Data.LoadFromEnumerable(rows);
        var test = ml.Data.LoadFromEnumerable(rows.Take(16).Append(new PairRow { Sentence1 = "", Sentence2 = "the cat saw the zebra", Label = 0 }).ToList());
        var model = ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions
        {
            Sentence1ColumnName = "Tokens1", Sentence2ColumnName = "Tokens2", PositionEncoding = PositionEncoding.FromName(kind),
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 12, Epochs = 1, Threads = 1,
        });
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens1", "Sentence1", maxTokens: 12).Fit(train);
        var tokens = new TransformerChain<ITransformer>(tokenizer, tokenizer.WithColumns("Tokens2", "Sentence2"));
        var pipeline = tokens.Append(model.Fit(tokens.Transform(train)));

        var before = pipeline.Transform(test).GetColumn<float>("Score").ToArray();
        var loaded = new MLContext(seed: 2).Model.Load(new MemoryStream(Save(ml, pipeline, train.Schema)), out _);
        var after = loaded.Transform(test).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(before.All(float.IsFinite), kind);
        CollectionAssert.AreEqual(Bits(before), Bits(after), $"{kind}: bit-identical similarity scores after reload");
    }
}
