using MLComponents.Samples;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// PredictionEngine over saved and reloaded pipelines (the classifier, the similarity model behind its tokenizer, the featurisers)
/// against hostile text: every prediction is finite, the same as the pipeline's own batch output for that row, and a null text
/// predicts exactly what an empty text does.
/// </summary>
[TestClass]
public sealed class PredictionInputTests
{
    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void Classifier_HostileText_PredictsAKnownClassWithFiniteProbabilities_AsTheBatchDoes(string name)
    {
        var ml = new MLContext();
        var model = ReliabilityModels.Classifier;
        var input = new TextInput { Text = HostileText.Get(name) };

        var p = ml.Model.CreatePredictionEngine<TextInput, ClassPrediction>(model).Predict(input);

        CollectionAssert.Contains(WhoDidItData.Animals, p.PredictedLabel);
        Assert.HasCount(4, p.Score);
        Assert.IsTrue(p.Score.All(float.IsFinite) && Math.Abs(p.Score.Sum() - 1) < 1e-4);
        var batch = ml.Data.CreateEnumerable<ClassPrediction>(model.Transform(ml.Data.LoadFromEnumerable(new[] { input })), reuseRowObject: false).Single();
        CollectionAssert.AreEqual(batch.Score, p.Score);
        Assert.AreEqual(batch.PredictedLabel, p.PredictedLabel);
    }

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void Similarity_HostileText_ScoresOnTheLabelScale_AsTheBatchDoes(string name)
    {
        var ml = new MLContext();
        var model = ReliabilityModels.Similarity;
        var input = new PairInput { Sentence1 = HostileText.Get(name), Sentence2 = "the cat chased the dog" };

        float score = ml.Model.CreatePredictionEngine<PairInput, SimilarityPrediction>(model).Predict(input).Score;

        // LabelMin + (LabelMax - LabelMin) cos with labels in [0, 1] and cos in [-1, 1].
        Assert.IsTrue(score >= -1 - 1e-5 && score <= 1 + 1e-5, $"{score} in [-1, 1]");
        var batch = ml.Data.CreateEnumerable<SimilarityPrediction>(model.Transform(ml.Data.LoadFromEnumerable(new[] { input })), reuseRowObject: false).Single();
        Assert.AreEqual(batch.Score, score);
    }

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void Featurisers_HostileText_GiveFiniteRowsOfTheDocumentedSize_AsTheBatchDoes(string name)
    {
        var ml = new MLContext();
        var model = ReliabilityModels.Featuriser;
        var input = new TextInput { Text = HostileText.Get(name) };

        var p = ml.Model.CreatePredictionEngine<TextInput, FeaturePrediction>(model).Predict(input);

        int tokens = name switch { "empty" or "whitespace" => 0, "5 MB line" => 24, "lone surrogates" => 6, _ => 11 };
        Assert.HasCount(16, p.Pooled);
        Assert.HasCount(2 * tokens * tokens, p.Bias, "2 heads x T x T");
        Assert.IsTrue(p.Pooled.All(float.IsFinite) && p.Bias.All(float.IsFinite));
        var batch = ml.Data.CreateEnumerable<FeaturePrediction>(model.Transform(ml.Data.LoadFromEnumerable(new[] { input })), reuseRowObject: false).Single();
        CollectionAssert.AreEqual(batch.Pooled, p.Pooled);
        CollectionAssert.AreEqual(batch.Bias, p.Bias);
    }

    [TestMethod]
    public void NullText_PredictsExactlyAsEmptyText_ForEveryPipeline()
    {
        var ml = new MLContext();
        var classifier = ml.Model.CreatePredictionEngine<TextInput, ClassPrediction>(ReliabilityModels.Classifier);
        var featuriser = ml.Model.CreatePredictionEngine<TextInput, FeaturePrediction>(ReliabilityModels.Featuriser);
        var similarity = ml.Model.CreatePredictionEngine<PairInput, SimilarityPrediction>(ReliabilityModels.Similarity);

        var c = classifier.Predict(new TextInput());
        var cEmpty = classifier.Predict(new TextInput { Text = "" });
        CollectionAssert.AreEqual(cEmpty.Score, c.Score);
        Assert.AreEqual(cEmpty.PredictedLabel, c.PredictedLabel);
        var f = featuriser.Predict(new TextInput());
        var fEmpty = featuriser.Predict(new TextInput { Text = "" });
        CollectionAssert.AreEqual(fEmpty.Pooled, f.Pooled);
        CollectionAssert.AreEqual(fEmpty.Bias, f.Bias);
        Assert.AreEqual(similarity.Predict(new PairInput { Sentence1 = "a", Sentence2 = "" }).Score, similarity.Predict(new PairInput { Sentence1 = "a" }).Score);
        Assert.AreEqual(similarity.Predict(new PairInput { Sentence1 = "", Sentence2 = "" }).Score, similarity.Predict(new PairInput()).Score);
    }
}
