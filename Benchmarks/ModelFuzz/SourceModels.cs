using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLComponents.Trainers;

namespace MLComponents.ModelFuzz;

/// <summary>
/// The models the harness damages: one of every component kind (TokenizeToIds with words and with a saved BERT tokenizer,
/// EmbedTokens, Pool, the inspection featurisers, the Transformer classifier, sentence similarity through the raw-text
/// trainer, EmbedSentences feeding ML.NET's LbfgsMaximumEntropy), among ML.NET's own steps, plus a classifier of about 10 MB.
/// </summary>
public static class SourceModels
{
    /// <summary>Rows the text models read.</summary>
    public sealed class TextRow
    {
        /// <summary>Class.</summary>
        public string Label { get; set; } = "";

        /// <summary>Text.</summary>
        public string Text { get; set; } = "";
    }

    /// <summary>Rows the similarity model reads.</summary>
    public sealed class PairRow
    {
        /// <summary>First sentence.</summary>
        public string Sentence1 { get; set; } = "";

        /// <summary>Second sentence.</summary>
        public string Sentence2 { get; set; } = "";

        /// <summary>Similarity.</summary>
        public float Label { get; set; }
    }

    /// <summary>File names of the models <see cref="Build"/> writes.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["classifier", "featurisers", "inspection", "bert-tokenizer", "similarity", "embeddings", "large-classifier"];

    /// <summary>Trains and saves every source model into <paramref name="dir"/> as &lt;name&gt;.zip.</summary>
    public static void Build(string dir)
    {
        Directory.CreateDirectory(dir);
        var ml = new MLContext(seed: 3);
        var text = ml.Data.LoadFromEnumerable(TextRows(160));
        var pairs = ml.Data.LoadFromEnumerable(PairRows(160));
        Save(ml, dir, "classifier", Classifier(ml, 0).Fit(text), text);
        Save(ml, dir, "featurisers", ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16)
            .Append(ml.Transforms.PositionEncoding.EmbedTokens("Embedded", "Tokens", PositionEncoding.Learned(), dimension: 8, combine: EmbedCombine.Add, seed: 2))
            .Append(ml.Transforms.PositionEncoding.Pool("Pooled", "Embedded")).Fit(text), text);
        Save(ml, dir, "inspection", ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16)
            .Append(ml.Transforms.PositionEncoding.Encodings("Encodings", "Tokens", PositionEncoding.Learned(), dimension: 8, seed: 4))
            .Append(ml.Transforms.PositionEncoding.RelativeBias("Bias", "Tokens", PositionEncoding.Fire(), heads: 2, seed: 5))
            .Append(ml.Transforms.PositionEncoding.RelativeDistances("Distances", "Tokens", PositionEncoding.T5Bias())).Fit(text), text);
        string vocab = Path.Combine(dir, "vocab.txt");
        File.WriteAllLines(vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "owl", "saw", "cat", "a", "fox", "dog", "##s", "near", "barn"]);
        Save(ml, dir, "bert-tokenizer", ml.Transforms.Text.TokenizeToIds("Tokens", "Text", SavedTokenizer.Bert(vocab), maxTokens: 16).Fit(text), text);
        Save(ml, dir, "similarity", ml.Regression.Trainers.SentenceSimilarity(maxEpochs: 1, batchSize: 16).Fit(pairs), pairs);
        var classifier = Classifier(ml, 0).Fit(text);
        var encoder = ((Microsoft.ML.Data.MulticlassPredictionTransformer<TransformerClassifierModelParameters>)((IEnumerable<ITransformer>)classifier).ToList()[2]).Model;
        Save(ml, dir, "embeddings", ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16))
            .Append(ml.Transforms.Text.EmbedSentences("Embedding", "Tokens", encoder))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(featureColumnName: "Embedding"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(text), text);
        // About 10 MB: a 10,000-row embedding table of width 256.
        Save(ml, dir, "large-classifier", Classifier(ml, 10_000).Fit(text), text);
    }

    private static IEstimator<ITransformer> Classifier(MLContext ml, int vocabulary) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16))
            .Append(ml.MulticlassClassification.Trainers.Transformer(new TransformerClassifierOptions
            {
                FeatureColumnName = "Tokens", ModelDimension = vocabulary > 0 ? 256 : 8, Heads = 2, Layers = 1, Epochs = 1, Threads = 1, Seed = 1,
                VocabularySize = vocabulary, PositionEncoding = PositionEncoding.ShawRelative(),
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    private static void Save(MLContext ml, string dir, string name, ITransformer model, IDataView data) =>
        ml.Model.Save(model, data.Schema, Path.Combine(dir, name + ".zip"));

    /// <summary>Labelled sentences.</summary>
    public static IEnumerable<TextRow> TextRows(int n) =>
        Enumerable.Range(0, n).Select(i => new TextRow { Label = (i % 3).ToString(CultureInfo.InvariantCulture), Text = $"w{i % 3} the owl saw the cat {i % 7}" });

    /// <summary>Scored sentence pairs.</summary>
    public static IEnumerable<PairRow> PairRows(int n) =>
        Enumerable.Range(0, n).Select(i => new PairRow { Sentence1 = $"the cat saw the owl {i % 5}", Sentence2 = i % 2 == 0 ? $"the cat saw the owl {i % 5}" : "a dog", Label = i % 2 });

    /// <summary>
    /// Everything a model outputs for a few probe rows (every column of every row, as text), so a loaded mutant can be compared
    /// with the original model.
    /// </summary>
    public static string Predict(MLContext ml, ITransformer model, string sourceName)
    {
        IDataView probe = sourceName != "similarity"
            ? ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "the owl saw the cat", Label = "0" }, new TextRow { Text = "", Label = "1" }, new TextRow { Text = "dogs near the barn", Label = "2" } })
            : ml.Data.LoadFromEnumerable(PairRows(3));
        var preview = model.Transform(probe).Preview(maxRows: 3);
        var sb = new StringBuilder();
        foreach (var row in preview.RowView)
        {
            foreach (var (key, value) in row.Values) sb.Append(key).Append('=').Append(Render(value)).Append(';');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Render(object value) => value switch
    {
        Microsoft.ML.Data.VBuffer<float> v => string.Join(",", v.DenseValues().Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
        Microsoft.ML.Data.VBuffer<int> v => string.Join(",", v.DenseValues()),
        Microsoft.ML.Data.VBuffer<ReadOnlyMemory<char>> v => string.Join(",", v.DenseValues()),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };
}
