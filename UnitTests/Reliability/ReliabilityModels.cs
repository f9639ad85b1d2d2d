using MLComponents.Samples;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Reliability;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>Input of the classifier and featuriser pipelines (the classifier's MapValueToKey reads Label; empty is missing).</summary>
public sealed class TextInput
{
    public string Label { get; set; } = "";

    public string? Text { get; set; }
}

/// <summary>Input of the similarity pipeline.</summary>
public sealed class PairInput
{
    public string? Sentence1 { get; set; }

    public string? Sentence2 { get; set; }
}

/// <summary>What the classifier pipeline predicts.</summary>
public sealed class ClassPrediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}

/// <summary>What the similarity pipeline predicts.</summary>
public sealed class SimilarityPrediction
{
    public float Score { get; set; }
}

/// <summary>What the featuriser pipeline outputs.</summary>
public sealed class FeaturePrediction
{
    public float[] Pooled { get; set; } = [];

    public float[] Bias { get; set; } = [];
}

/// <summary>
/// Small trained pipelines, each saved to bytes and loaded back into a fresh MLContext (so every use is of a loaded model, as in a
/// service): the classifier (MapValueToKey, TokenizeToIds, Transformer, MapKeyToValue), the sentence-similarity model behind a
/// shared tokenizer, a featuriser pipeline (TokenizeToIds, EmbedTokens + Pool, RelativeBias), and a sentence-embedding pipeline
/// saved as a file for <see cref="SentenceEmbeddingGenerator"/>. Shared by the tests and the load command (no test framework here).
/// </summary>
public static class ReliabilityModels
{
    private static readonly Lazy<ITransformer> ClassifierModel = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(WhoDidItData.Generate(160, seed: 1).Select(r => new { r.Label, r.Text }).ToList());
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 24))
            .Append(ml.MulticlassClassification.Trainers.Transformer(new TransformerClassifierOptions
            {
                Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 24, Epochs = 2, Seed = 1, Threads = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        return Reload(model, data.Schema);
    });

    private static readonly Lazy<(ITransformer Model, SentenceSimilarityTransformer Similarity, TokenizeToIdsTransformer Tokenizer)> SimilarityModel = new(() =>
    {
        var ml = new MLContext(seed: 2);
        var pairs = Pairs(96);
        var sentences = ml.Data.LoadFromEnumerable(pairs.SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).Select(t => new TextInput { Text = t }).ToList());
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16).Fit(sentences);
        var featurise = new TransformerChain<ITransformer>(tokenizer.WithColumns("Sentence1Tokens", "Sentence1"), tokenizer.WithColumns("Sentence2Tokens", "Sentence2"));
        var labelled = ml.Data.LoadFromEnumerable(pairs);
        var similarity = ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions
        {
            Layers = 1, ModelDimension = 16, Heads = 2, FeedForwardDimension = 32, MaxTokens = 16, Epochs = 2, Seed = 1, Threads = 1, Dropout = 0f,
        }).Fit(featurise.Transform(labelled));
        var model = new TransformerChain<ITransformer>([.. featurise, similarity]);
        return (Reload(model, ml.Data.LoadFromEnumerable(new List<PairInput>()).Schema), similarity, tokenizer);
    });

    private static readonly Lazy<ITransformer> FeaturiserModel = new(() =>
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(WhoDidItData.Generate(64, seed: 3).Select(r => new TextInput { Text = r.Text }).ToList());
        var model = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 24)
            .Append(ml.Transforms.PositionEncoding.EmbedTokens("Embedded", "Tokens", PositionEncoding.Rotary(), dimension: 16, seed: 3))
            .Append(ml.Transforms.PositionEncoding.Pool("Pooled", "Embedded"))
            .Append(ml.Transforms.PositionEncoding.RelativeBias("Bias", "Tokens", PositionEncoding.T5Bias(), heads: 2, seed: 3))
            .Fit(data);
        return Reload(model, data.Schema);
    });

    private static readonly Lazy<string> EmbeddingFile = new(() =>
    {
        var ml = new MLContext(seed: 4);
        var (_, similarity, tokenizer) = SimilarityModel.Value;
        var text = ml.Data.LoadFromEnumerable(new[] { new TextInput { Text = "the cat" } });
        var pipeline = new TransformerChain<ITransformer>(tokenizer, ml.Transforms.Text.EmbedSentences("Embedding", "Tokens", similarity).Fit(tokenizer.Transform(text)));
        string path = Path.Combine(Path.GetTempPath(), $"mlc-reliability-embeddings-{Environment.ProcessId}.zip");
        ml.Model.Save(pipeline, text.Schema, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    /// <summary>The loaded classifier pipeline (input <see cref="TextInput"/>, output <see cref="ClassPrediction"/>).</summary>
    public static ITransformer Classifier => ClassifierModel.Value;

    /// <summary>The loaded similarity pipeline (input <see cref="PairInput"/>, output <see cref="SimilarityPrediction"/>).</summary>
    public static ITransformer Similarity => SimilarityModel.Value.Model;

    /// <summary>The loaded featuriser pipeline (input <see cref="TextInput"/>, output <see cref="FeaturePrediction"/>).</summary>
    public static ITransformer Featuriser => FeaturiserModel.Value;

    /// <summary>A saved TokenizeToIds + EmbedSentences pipeline, for <see cref="SentenceEmbeddingGenerator.Load"/>.</summary>
    public static string EmbeddingPath => EmbeddingFile.Value;

    /// <summary>Texts to predict: who-did-it sentences, and the hostile classes (the 5 MB line excluded when <paramref name="withBigLine"/> is false).</summary>
    public static List<string> Texts(int count, bool withBigLine = false)
    {
        var texts = WhoDidItData.Generate(count, seed: 9).Select(r => r.Text).ToList();
        texts.AddRange(["", HostileText.Whitespace, HostileText.LoneSurrogates, HostileText.MixedScripts]);
        if (withBigLine) texts.Add(HostileText.FiveMegabyteLine);
        return texts;
    }

    /// <summary>Sentence pairs: the same animals in the same or swapped roles (label 1 or 0).</summary>
    public static List<LabelledPair> Pairs(int count)
    {
        var rows = WhoDidItData.Generate(count, seed: 5).ToList();
        var rng = new Random(5);
        return [.. rows.Select(r =>
        {
            bool same = rng.Next(2) == 0;
            string other = same ? r.Text : string.Join(' ', r.Text.Split(' ').Reverse());
            return new LabelledPair { Sentence1 = r.Text, Sentence2 = other, Label = same ? 1f : 0f };
        })];
    }

    private static ITransformer Reload(ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        new MLContext().Model.Save(model, schema, stream);
        stream.Position = 0;
        return new MLContext().Model.Load(stream, out _);
    }

    /// <summary>A labelled sentence pair.</summary>
    public sealed class LabelledPair
    {
        public string Sentence1 { get; set; } = "";

        public string Sentence2 { get; set; } = "";

        public float Label { get; set; }
    }
}
