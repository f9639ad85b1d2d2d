using Microsoft.Extensions.AI;
using MLComponents.Trainers;
using static MLComponents.UnitTests.Featurisers.FeaturiserTestKit;
using static MLComponents.UnitTests.Reliability.InputTestKit;

namespace MLComponents.UnitTests.Reliability;

/// <summary>
/// <c>ml.Transforms.Text.EmbedSentences</c> and <see cref="SentenceEmbeddingGenerator"/> against hostile input: every embedding is a
/// finite unit vector (empty text reads as the padding id, ids past the vocabulary as the unknown id, long input is truncated),
/// the generator returns the pipeline's own vectors, and a null text, a negative id or a bad option is named.
/// </summary>
[TestClass]
public sealed class EmbeddingInputTests
{
    private static readonly Lazy<SentenceEmbeddingGenerator> Generator = new(() => SentenceEmbeddingGenerator.Load(new MLContext(), ReliabilityModels.EmbeddingPath));

    private static float[] PipelineVector(string text)
    {
        var ml = new MLContext();
        var pipeline = ml.Model.Load(ReliabilityModels.EmbeddingPath, out _);
        return Vectors<float>(pipeline.Transform(ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = text } })), "Embedding").Single();
    }

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void Generator_HostileText_ReturnsTheFiniteUnitVectorOfThePipeline(string name)
    {
        string text = HostileText.Get(name);

        var vector = Generator.Value.GenerateAsync([text]).GetAwaiter().GetResult().Single().Vector.ToArray();

        Assert.HasCount(16, vector);
        Assert.IsTrue(vector.All(float.IsFinite));
        Assert.AreEqual(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 1e-5, "L2-normalised");
        AreClose(PipelineVector(text), vector, 1e-5, "the EmbedSentences column of the same pipeline");
    }

    [TestMethod]
    public void Generator_NullText_NoTexts_WrongDimensions_BatchSize0_AndCancellation_AreNamed()
    {
        var generator = Generator.Value;

        var e = Assert.ThrowsExactly<ArgumentNullException>(() => generator.GenerateAsync(["a", "b", null!]).GetAwaiter().GetResult());
        StringAssert.StartsWith(e.Message, "Text 2 is null.");
        Assert.ThrowsExactly<ArgumentNullException>(() => generator.GenerateAsync(null!).GetAwaiter().GetResult());
        Assert.IsEmpty(generator.GenerateAsync([]).GetAwaiter().GetResult(), "no texts, no embeddings");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 3 }).GetAwaiter().GetResult()).Message, "16-dimensional");
        Assert.AreEqual("BatchSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new SentenceEmbeddingGenerator(new MLContext().Model.Load(ReliabilityModels.EmbeddingPath, out _)) { BatchSize = 0 }).ParamName);
        Assert.ThrowsExactly<OperationCanceledException>(() => generator.GenerateAsync(["a"], cancellationToken: new CancellationToken(true)).GetAwaiter().GetResult());
    }

    [TestMethod]
    public void Generator_ManyTextsOfEveryKindInOneCall_MatchOneAtATime()
    {
        var texts = ReliabilityModels.Texts(70, withBigLine: true);

        var all = Generator.Value.GenerateAsync(texts).GetAwaiter().GetResult();

        Assert.HasCount(texts.Count, all);
        for (int i = 0; i < texts.Count; i += 7)
            AreClose(Generator.Value.GenerateAsync([texts[i]]).GetAwaiter().GetResult()[0].Vector.ToArray(), all[i].Vector.ToArray(), 1e-5, $"text {i}");
    }

    public static IEnumerable<object[]> TokenClasses =>
    [
        ["empty: the padding id", Array.Empty<int>(), new[] { 0 }],
        ["past the vocabulary: the unknown id", new[] { int.MaxValue, 5 }, new[] { 1, 5 }],
        ["longer than MaxTokens (16): truncated", Enumerable.Range(4, 40).ToArray(), Enumerable.Range(4, 16).ToArray()],
    ];

    [TestMethod]
    [DynamicData(nameof(TokenClasses))]
    public void EmbedSentences_TokenClasses_ReadAsDocumented(string what, int[] ids, int[] readAs)
    {
        var ml = new MLContext();
        var pipeline = ml.Model.Load(ReliabilityModels.EmbeddingPath, out _);
        var embed = Flatten(pipeline).OfType<SentenceEmbeddingTransformer>().Single();
        var data = Ids(ml, ids, readAs);

        var rows = Vectors<float>(embed.Transform(data), "Embedding");

        CollectionAssert.AreEqual(rows[1], rows[0], what);
        Assert.IsTrue(rows[0].All(float.IsFinite), what);
    }

    [TestMethod]
    public void EmbedSentences_NegativeId_NamesTheColumnAndRow_OverTheClassifiersEncoderToo()
    {
        var ml = new MLContext();
        var data = Ids(ml, [4, 5], [6, -2]);
        var fromSimilarity = Flatten(ml.Model.Load(ReliabilityModels.EmbeddingPath, out _)).OfType<SentenceEmbeddingTransformer>().Single();
        var fromClassifier = ml.Transforms.Text.EmbedSentences("Embedding", "Tokens", ClassifierOf(ReliabilityModels.Classifier)).Fit(data);

        foreach (var embed in new ITransformer[] { fromSimilarity, fromClassifier })
        {
            var e = MLNetErrors.ThrownByRow<InvalidDataException>(() => Vectors<float>(embed.Transform(data), "Embedding"));
            StringAssert.StartsWith(e.Message, "Column 'Tokens', row 1: Token 1 has the negative id -2.");
        }
        var empty = Vectors<float>(fromClassifier.Transform(Ids(ml, Array.Empty<int>())), "Embedding").Single();
        Assert.IsTrue(empty.All(float.IsFinite) && empty.Any(v => v != 0), "the classifier's encoder embeds an empty row as the padding id too");
    }
}
