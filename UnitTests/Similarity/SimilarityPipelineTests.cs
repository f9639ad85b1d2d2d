using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Engine;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Similarity;

[TestClass]
public sealed class SimilarityPipelineTests
{
    public sealed class PairRow
    {
        public int[] Sentence1Tokens { get; set; } = [];
        public int[] Sentence2Tokens { get; set; } = [];
        public float Label { get; set; }
    }

    private static readonly Lazy<(MLContext Ml, IDataView Train, IDataView Test, SentenceSimilarityTransformer Model)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(RolePairsTask.Make(160, seed: 5)));
        var test = ml.Data.LoadFromEnumerable(Rows(RolePairsTask.Make(48, seed: 6)));
        var model = ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 8, Epochs = 2, Threads = 1,
            LabelMin = 0, LabelMax = 1, PositionEncoding = MLComponents.PositionEncoding.Rotary(), Dropout = 0f,
        }).Fit(train);
        return (ml, train, test, model);
    });

    internal static List<PairRow> Rows(List<(string[] First, string[] Second, float Label, bool Swap)> pairs) =>
        [.. pairs.Select(p => new PairRow { Sentence1Tokens = RolePairsTask.Ids(p.First), Sentence2Tokens = RolePairsTask.Ids(p.Second), Label = p.Label })];

    private static float[] Scores(IDataView scored) => [.. scored.GetColumn<float>("Score")];

    [TestMethod]
    public void ScoresMatchTheArrayLevelModelAndSurviveSaveLoad()
    {
        var (ml, _, test, model) = Trained.Value;
        var scores = Scores(model.Transform(test));
        var rows = ml.Data.CreateEnumerable<PairRow>(test, reuseRowObject: false).ToList();
        // Independent path: the stacked, padded engine batch (the trainer's own scoring) gives the same numbers.
        var siamese = new SiameseModel(model.Encoder, new ScoreRange(model.LabelMin, model.LabelMax), model.Pooling);
        var engine = new float[rows.Count];
        siamese.Predict([.. rows.Select(r => r.Sentence1Tokens)], [.. rows.Select(r => r.Sentence2Tokens)], engine);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(engine[i], scores[i], 1e-5f, $"row {i}");
        }
        string path = Path.Combine(Path.GetTempPath(), $"similarity-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, test.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            CollectionAssert.AreEqual(scores, Scores(loaded.Transform(test)), "scores after save/load");
        }
        finally
        {
            File.Delete(path);
        }
        // ML.NET's regression evaluator reads the score column; our correlation evaluator adds Pearson and Spearman.
        var metrics = ml.Regression.Evaluate(model.Transform(test));
        var correlation = ml.Regression.EvaluateCorrelation(model.Transform(test));
        Assert.IsTrue(double.IsFinite(metrics.RootMeanSquaredError) && double.IsFinite(correlation.SpearmanCorrelation));
        Assert.AreEqual(rows.Count, correlation.RowCount);
        var labels = rows.Select(r => (double)r.Label).ToArray();
        Assert.AreEqual(Math.Sqrt(labels.Zip(scores, (y, f) => (y - f) * (y - f)).Average()), metrics.RootMeanSquaredError, 1e-6);
        Assert.AreEqual(Correlation.Pearson(labels, [.. scores.Select(f => (double)f)]), correlation.PearsonCorrelation, 1e-12);
    }

    [TestMethod]
    public void EmbedSentencesGivesTheVectorsBehindTheScore()
    {
        var (ml, _, test, model) = Trained.Value;
        var raw = ml.Transforms.Text.EmbedSentences("E1", "Sentence1Tokens", model, normalize: false)
            .Append(ml.Transforms.Text.EmbedSentences("E2", "Sentence2Tokens", model, normalize: true)).Fit(test);
        var view = model.Transform(raw.Transform(test));
        var e1 = view.GetColumn<VBuffer<float>>("E1").Select(v => v.DenseValues().ToArray()).ToList();
        var e2 = view.GetColumn<VBuffer<float>>("E2").Select(v => v.DenseValues().ToArray()).ToList();
        var scores = view.GetColumn<float>("Score").ToList();
        var rows = ml.Data.CreateEnumerable<PairRow>(test, reuseRowObject: false).ToList();
        var embedder = model.CreateEmbedder();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(16, e1[i].Length);
            var expected = new float[16];
            embedder.Embed(rows[i].Sentence1Tokens, expected, normalize: false);
            CollectionAssert.AreEqual(expected, e1[i], $"row {i} raw embedding");
            double norm = Math.Sqrt(e2[i].Sum(x => (double)x * x));
            Assert.AreEqual(1.0, norm, 1e-5, $"row {i} normalised embedding");
            // Cosine of the two embedding columns, mapped to the label range, is the model's score.
            double cos = e1[i].Zip(e2[i], (a, b) => (double)a * b).Sum() / Math.Sqrt(e1[i].Sum(x => (double)x * x));
            Assert.AreEqual(scores[i], model.LabelMin + (model.LabelMax - model.LabelMin) * cos, 1e-5, $"row {i} score from embeddings");
        }
    }

    [TestMethod]
    public void BadInputsGiveClearErrorsOrDocumentedHandling()
    {
        var (ml, _, test, model) = Trained.Value;
        var wrong = ml.Data.LoadFromEnumerable(new[] { new { Sentence1Tokens = "text", Sentence2Tokens = new[] { 3 }, Label = 1f } });
        var e = Assert.ThrowsExactly<SchemaException>(() => model.Transform(wrong));
        StringAssert.Contains(e.Message, "Sentence1Tokens");
        var negative = ml.Data.LoadFromEnumerable(new[] { new PairRow { Sentence1Tokens = [3, -4], Sentence2Tokens = [3], Label = 1 } });
        var ex = MLNetErrors.ThrownByRow<InvalidDataException>(() => Scores(model.Transform(negative)));
        StringAssert.Contains(ex.Message, "Sentence1Tokens");
        StringAssert.Contains(ex.Message, "-4");
        // Documented: empty reads as [pad], over-long is truncated to MaxTokens (8), ids past the vocabulary read as unknown.
        float empty = model.Score([], [5, 6]);
        Assert.AreEqual(model.Score([0], [5, 6]), empty);
        int[] longer = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        Assert.AreEqual(model.Score(longer[..8], [5, 6]), model.Score(longer, [5, 6]));
        Assert.AreEqual(model.Score([1, 6], [5, 6]), model.Score([100_000, 6], [5, 6]));
        Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions()).Fit(
            ml.Data.LoadFromEnumerable(new[] { new PairRow { Sentence1Tokens = [3], Sentence2Tokens = [4], Label = float.NaN } })));
        var badLabel = ml.Data.LoadFromEnumerable(new[] { new { Sentence1Tokens = new[] { 3 }, Sentence2Tokens = new[] { 4 }, Label = 1.0 } });
        StringAssert.Contains(Assert.ThrowsExactly<SchemaException>(() => ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions()).Fit(badLabel)).Message, "Label");
    }

    [TestMethod]
    public void EmbedSentencesAcceptsTheClassifiersEncoder()
    {
        var ml = new MLContext(seed: 3);
        var rows = Rows(RolePairsTask.Make(24, seed: 9));
        var labelled = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new ClassifiedRow { Tokens = r.Sentence1Tokens, Label = $"c{i % 3}" }).ToList());
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Transformer(new TransformerClassifierOptions
        {
            FeatureColumnName = "Tokens", Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 8, Epochs = 1, Dropout = 0f,
            Seed = 4, Threads = 1, PositionEncoding = MLComponents.PositionEncoding.Rotary(),
        })).Fit(labelled).LastTransformer.Model;
        var data = ml.Data.LoadFromEnumerable(rows);
        var embedded = ml.Transforms.Text.EmbedSentences("E", "Sentence1Tokens", classifier, normalize: false).Fit(data).Transform(data);
        var vectors = embedded.GetColumn<VBuffer<float>>("E").Select(v => v.DenseValues().ToArray()).ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            // Independent path: the classifier's own forward exposes the pooled vector its head reads.
            var ids = rows[i].Sentence1Tokens;
            classifier.Model.Forward(ids, [ids.Length], 1, ids.Length, training: false);
            var pooled = classifier.Model.Pooled.ToArray();
            for (int j = 0; j < 16; j++)
            {
                Assert.AreEqual(pooled[j], vectors[i][j], 1e-5f, $"row {i} dim {j}");
            }
        }
    }

    public sealed class ClassifiedRow
    {
        public int[] Tokens { get; set; } = [];
        public string Label { get; set; } = "";
    }
}
