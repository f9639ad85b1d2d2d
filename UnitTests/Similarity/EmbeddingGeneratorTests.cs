using Microsoft.Extensions.AI;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Samples.SentenceSimilarity;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Similarity;

[TestClass]
public sealed class EmbeddingGeneratorTests
{
    private static readonly Lazy<(MLContext Ml, ITransformer Pipeline, string Path)> Saved = new(() =>
    {
        var ml = new MLContext(seed: 2);
        var pairs = AgentPatientPairs.Make(96, seed: 3);
        var sentences = pairs.SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).Select(w => new SentenceText { Text = string.Join(' ', w) }).ToList();
        var data = ml.Data.LoadFromEnumerable(sentences);
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 6).Fit(data);
        var rows = pairs.Select(p => new SimilarityPipelineTests.PairRow
        {
            Sentence1Tokens = tokenizer.GetIds(string.Join(' ', p.Sentence1)), Sentence2Tokens = tokenizer.GetIds(string.Join(' ', p.Sentence2)), Label = p.Label,
        }).ToList();
        var similarity = ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 6, Epochs = 1, Threads = 1, Dropout = 0f,
        }).Fit(ml.Data.LoadFromEnumerable(rows));
        var pipeline = tokenizer.Append(ml.Transforms.Text.EmbedSentences("Embedding", "Tokens", similarity).Fit(tokenizer.Transform(data)));
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"embeddings-{Guid.NewGuid():N}.zip");
        ml.Model.Save(pipeline, data.Schema, path);
        return (ml, pipeline, path);
    });

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Saved.IsValueCreated) File.Delete(Saved.Value.Path);
    }

    private static readonly string[] Texts =
    [
        "the cat chased the mouse", "the mouse chased the cat", "the kitty was pursued by the hound", "the teacher helped the child",
        "the bird saw the dog", "dog", "the tutor assisted the kid", "the sparrow noticed the rodent", "the child followed the teacher",
    ];

    /// <summary>The embedding column of the in-memory pipeline (row by row, unpadded), the reference.</summary>
    private static float[][] TransformVectors(IEnumerable<string> texts)
    {
        var (ml, pipeline, _) = Saved.Value;
        var view = pipeline.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new SentenceText { Text = t })));
        return [.. view.GetColumn<VBuffer<float>>("Embedding").Select(v => v.DenseValues().ToArray())];
    }

    private static void AssertSame(float[] expected, ReadOnlyMemory<float> actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        var span = actual.Span;
        for (int i = 0; i < expected.Length; i++)
        {
            // The generator pads texts into batches; padding is masked, so only rounding may differ.
            Assert.AreEqual(expected[i], span[i], 1e-5f, $"{what}[{i}]");
        }
    }

    [TestMethod]
    public void OneStringAndABatchMatchTheTransform()
    {
        var (ml, _, path) = Saved.Value;
        using var generator = SentenceEmbeddingGenerator.Load(ml, path);
        var reference = TransformVectors(Texts);
        var one = generator.GenerateAsync([Texts[0]]).GetAwaiter().GetResult();
        Assert.AreEqual(1, one.Count);
        AssertSame(reference[0], one[0].Vector, "single");
        var batch = generator.GenerateAsync(Texts).GetAwaiter().GetResult();
        Assert.AreEqual(Texts.Length, batch.Count);
        for (int i = 0; i < Texts.Length; i++)
        {
            AssertSame(reference[i], batch[i].Vector, $"batch item {i}");
            Assert.AreEqual(1.0, Math.Sqrt(batch[i].Vector.ToArray().Sum(x => (double)x * x)), 1e-5, "unit norm");
        }
        Assert.AreEqual(16, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
    }

    [TestMethod]
    public void EightThreadsAtOnceGetTheSameVectors()
    {
        var (ml, _, path) = Saved.Value;
        using var generator = SentenceEmbeddingGenerator.Load(ml, path);
        var reference = TransformVectors(Texts);
        var results = new GeneratedEmbeddings<Embedding<float>>[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            results[t] = new GeneratedEmbeddings<Embedding<float>>[20];
            for (int r = 0; r < 20; r++)
            {
                // Rotate the batch so threads embed different texts at the same moment.
                results[t][r] = generator.GenerateAsync(Texts.Skip((t + r) % Texts.Length).Concat(Texts.Take((t + r) % Texts.Length))).GetAwaiter().GetResult();
            }
        });
        for (int t = 0; t < 8; t++)
        {
            for (int r = 0; r < 20; r++)
            {
                int shift = (t + r) % Texts.Length;
                for (int i = 0; i < Texts.Length; i++)
                {
                    AssertSame(reference[(i + shift) % Texts.Length], results[t][r][i].Vector, $"thread {t} call {r} item {i}");
                }
            }
        }
    }

    [TestMethod]
    public void NullEmptyAndOverLongTextsAreHandledAsDocumented()
    {
        var (ml, _, path) = Saved.Value;
        using var generator = SentenceEmbeddingGenerator.Load(ml, path);
        var e = Assert.ThrowsExactly<ArgumentNullException>(() => generator.GenerateAsync(["the cat", null!]).GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, "Text 1");
        // Empty text embeds as the single padding id: finite, the same as the transform gives.
        var empty = generator.GenerateAsync([""]).GetAwaiter().GetResult()[0];
        Assert.IsTrue(empty.Vector.ToArray().All(float.IsFinite));
        AssertSame(TransformVectors([""])[0], empty.Vector, "empty");
        // Longer than the tokenizer's 6 tokens: truncated to the first 6, so trailing words change nothing.
        var full = generator.GenerateAsync(["the cat chased the mouse and then the dog saw the bird"]).GetAwaiter().GetResult()[0];
        var cut = generator.GenerateAsync(["the cat chased the mouse and"]).GetAwaiter().GetResult()[0];
        AssertSame(cut.Vector.ToArray(), full.Vector, "truncated");
        Assert.ThrowsExactly<ArgumentException>(() => generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 3 }).GetAwaiter().GetResult());
        // The embedding step alone has no tokenizer in front of it.
        var alone = ((TransformerChain<SentenceEmbeddingTransformer>)Saved.Value.Pipeline).LastTransformer;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SentenceEmbeddingGenerator(alone)).Message, "tokenizer");
    }
}

/// <summary>One text per row.</summary>
public sealed class SentenceText
{
    public string Text { get; set; } = "";
}
