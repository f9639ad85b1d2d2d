using MLComponents.Samples;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Reliability;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>A labelled text row (string label; null and "" are missing to MapValueToKey).</summary>
public sealed class LabelledRow
{
    public string? Label { get; set; }

    public string? Text { get; set; }
}

/// <summary>A labelled text row with a numeric label (NaN is missing to MapValueToKey).</summary>
public sealed class NumberLabelledRow
{
    public float Label { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>A sentence pair as text, with a similarity label.</summary>
public sealed class TextPairRow
{
    public string? Sentence1 { get; set; }

    public string? Sentence2 { get; set; }

    public float Label { get; set; }
}

/// <summary>Tiny models and data for the entry-point tests: each trains in well under a second.</summary>
internal static class InputTestKit
{
    /// <summary>The classifier's smallest useful options (1 layer, D 8, 1 epoch, 1 thread).</summary>
    public static TransformerClassifierOptions TinyClassifier(int epochs = 1) => new()
    {
        FeatureColumnName = "Tokens", Layers = 1, ModelDimension = 8, Heads = 2, FeedForwardDimension = 16, Dropout = 0f,
        MaxTokens = 16, Epochs = epochs, BatchSize = 16, LearningRate = 3e-3f, Seed = 1, Threads = 1,
    };

    /// <summary>The similarity trainer's smallest useful options.</summary>
    public static SentenceSimilarityOptions TinySimilarity(int epochs = 1) => new()
    {
        Layers = 1, ModelDimension = 8, Heads = 2, FeedForwardDimension = 16, Dropout = 0f, MaxTokens = 16, Epochs = epochs, BatchSize = 16,
        Seed = 1, Threads = 1,
    };

    /// <summary>"Who did it?" rows (four animals), deterministic.</summary>
    public static List<LabelledRow> WhoDidIt(int count, int seed = 1) =>
        [.. WhoDidItData.Generate(count, seed).Select(r => new LabelledRow { Label = r.Label, Text = r.Text })];

    /// <summary>MapValueToKey -> TokenizeToIds -> Transformer classifier -> MapKeyToValue.</summary>
    public static IEstimator<ITransformer> ClassifierPipeline(MLContext ml, TransformerClassifierOptions options, int maxTokens = 16) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: maxTokens))
            .Append(ml.MulticlassClassification.Trainers.Transformer(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    /// <summary>The trained classifier inside a pipeline fitted by <see cref="ClassifierPipeline"/>.</summary>
    public static TransformerClassifierModelParameters ClassifierOf(ITransformer pipeline) =>
        Flatten(pipeline).OfType<IPredictionTransformer<object>>().Select(t => t.Model).OfType<TransformerClassifierModelParameters>().Single();

    /// <summary>Every step of a (nested) chain.</summary>
    public static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    /// <summary>Sentence pairs with labels in [0, 1]: the same words, in the same or another order.</summary>
    public static List<TextPairRow> Pairs(int count, int seed = 1)
    {
        string[] nouns = ["cat", "dog", "fox", "owl"];
        string[] verbs = ["chased", "saw", "helped"];
        var rng = new Random(seed);
        var rows = new List<TextPairRow>(count);
        for (int i = 0; i < count; i++)
        {
            string a = nouns[rng.Next(4)], b = nouns[rng.Next(4)], v = verbs[rng.Next(3)];
            bool same = rng.Next(2) == 0;
            rows.Add(new TextPairRow { Sentence1 = $"the {a} {v} the {b}", Sentence2 = same ? $"the {a} {v} the {b}" : $"the {b} {v} the {a}", Label = same ? 1f : 0f });
        }
        return rows;
    }

    /// <summary>One tokenizer fitted on both sides, applied to each (Sentence1Tokens, Sentence2Tokens).</summary>
    public static TransformerChain<ITransformer> PairTokenizer(MLContext ml, IEnumerable<TextPairRow> rows, int maxTokens = 16)
    {
        var sentences = rows.SelectMany(r => new[] { r.Sentence1, r.Sentence2 }).Select(t => new LabelledRow { Text = t ?? "" }).ToList();
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: maxTokens).Fit(ml.Data.LoadFromEnumerable(sentences));
        return new TransformerChain<ITransformer>(tokenizer.WithColumns("Sentence1Tokens", "Sentence1"), tokenizer.WithColumns("Sentence2Tokens", "Sentence2"));
    }

    /// <summary>Saves to bytes and loads back with a fresh context (nothing shared but the bytes).</summary>
    public static ITransformer RoundTrip(ITransformer model, DataViewSchema schema) => Featurisers.FeaturiserTestKit.RoundTrip(model, schema);

    /// <summary>A column read as floats per row (a Single scalar as a one-value row).</summary>
    public static List<float[]> Floats(IDataView view, string column)
    {
        var col = view.Schema[column];
        using var cursor = view.GetRowCursor([col]);
        var rows = new List<float[]>();
        if (col.Type is VectorDataViewType)
        {
            var get = cursor.GetGetter<VBuffer<float>>(col);
            VBuffer<float> v = default;
            while (cursor.MoveNext())
            {
                get(ref v);
                rows.Add(v.DenseValues().ToArray());
            }
        }
        else
        {
            var get = cursor.GetGetter<float>(col);
            float v = 0;
            while (cursor.MoveNext())
            {
                get(ref v);
                rows.Add([v]);
            }
        }
        return rows;
    }

    /// <summary>Asserts two per-row results are the same, bit for bit, naming the first row that differs.</summary>
    public static void AllRowsEqual(List<float[]> expected, List<float[]> actual)
    {
        Assert.HasCount(expected.Count, actual);
        for (int i = 0; i < expected.Count; i++) CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
    }

    /// <summary>A scheme to refer to without the test namespace's PositionEncoding folder getting in the way.</summary>
    public static PositionEncoding Rope => PositionEncoding.Rotary();
}
