using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents;
using MLComponents.Trainers;

// Usage:
//   MLComponents.PipelineApp train <dir>     trains both pipelines on a generated TSV, evaluates, saves classifier.zip and
//                                            embeddings.zip, and prints the probe sentences' scores
//   MLComponents.PipelineApp predict <dir>   loads both .zip files with a new MLContext and prints the same scores
//   MLComponents.PipelineApp save-loop <dir>  trains a large model once, then saves it to <dir>/large.zip with SaveAtomic again and
//                                            again, printing "saving N" before and "saved N" after each save (the tests kill it)
// Score lines: "<model> <probe index> <predicted label> <score 0> <score 1> ..." with scores in round-trip format.
if (args.Length != 2 || args[0] is not ("train" or "predict" or "save-loop"))
{
    Console.Error.WriteLine("usage: MLComponents.PipelineApp train|predict|save-loop <dir>");
    return 2;
}
string dir = args[1];
string classifierPath = Path.Combine(dir, "classifier.zip"), embeddingPath = Path.Combine(dir, "embeddings.zip");
string[] probes = ["the owl saw the cat near the barn", "a fox chased the dog", "the cat and the owl", "dog"];
var ml = new MLContext(seed: 7);

if (args[0] == "save-loop")
{
    // A model of some 20 MB (a 20,000 x 256 embedding table), so that a save takes long enough to be killed in the middle.
    var rows = Enumerable.Range(0, 64).Select(i => new Review { Label = (i % 2).ToString(CultureInfo.InvariantCulture), Text = $"word{i % 2} filler" });
    var small = ml.Data.LoadFromEnumerable(rows);
    var large = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 8))
        .Append(ml.MulticlassClassification.Trainers.Transformer(new TransformerClassifierOptions
        {
            FeatureColumnName = "Tokens", ModelDimension = 256, Heads = 4, Layers = 1, Epochs = 1, VocabularySize = 20_000, Threads = 1, Seed = 1,
        }))
        .Fit(small);
    string target = Path.Combine(dir, "large.zip");
    Directory.CreateDirectory(dir);
    for (int n = 1; ; n++)
    {
        Console.WriteLine($"saving {n}");
        ml.Model.SaveAtomic(large, small.Schema, target);
        Console.WriteLine($"saved {n}");
    }
}

if (args[0] == "predict")
{
    PrintScores("classifier", ml.Model.Load(classifierPath, out _));
    PrintScores("embeddings", ml.Model.Load(embeddingPath, out _));
    return 0;
}

// Word-order data: the label is the first of two animals, among filler words; a bag of words cannot tell.
Directory.CreateDirectory(dir);
string tsv = Path.Combine(dir, "train.tsv");
var rng = new Random(11);
string[] animals = ["cat", "dog", "fox", "owl"], fillers = ["the", "a", "near", "saw", "chased", "and", "barn", "today"];
using (var w = new StreamWriter(tsv))
{
    w.WriteLine("Label\tText");
    for (int i = 0; i < 800; i++)
    {
        string a = animals[rng.Next(4)], b = animals[rng.Next(4)];
        var words = new List<string> { a, b };
        for (int k = rng.Next(2, 6); k > 0; k--) words.Insert(rng.Next(words.Count + 1), fillers[rng.Next(fillers.Length)]);
        // Keep a before b: the label is the animal that comes first.
        int ia = words.IndexOf(a), ib = words.LastIndexOf(b);
        if (ia > ib) (words[ia], words[ib]) = (words[ib], words[ia]);
        w.WriteLine($"{a}\t{string.Join(' ', words)}");
    }
}
var data = ml.Data.LoadFromTextFile<Review>(tsv, hasHeader: true, separatorChar: '\t');
var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 3);

// 1. ML.NET's steps around ours: MapValueToKey -> TokenizeToIds -> Transformer classifier -> MapKeyToValue.
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 32))
    .Append(ml.MulticlassClassification.Trainers.Transformer(new TransformerClassifierOptions
    {
        FeatureColumnName = "Tokens", ModelDimension = 32, Heads = 2, Layers = 2, Epochs = 12, Threads = 1, Seed = 5,
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
var classifier = pipeline.Fit(split.TrainSet);
var metrics = ml.MulticlassClassification.Evaluate(classifier.Transform(split.TestSet));
Console.WriteLine(FormattableString.Invariant($"metrics classifier micro_accuracy={metrics.MicroAccuracy:0.0000} log_loss={metrics.LogLoss:0.0000}"));
ml.Model.Save(classifier, data.Schema, classifierPath);

// 2. Our encoder as a featuriser for ML.NET's own trainer: TokenizeToIds -> EmbedSentences -> LbfgsMaximumEntropy. The vocabulary
// is a pure function of the training data, so fitting TokenizeToIds again on the same rows gives the ids the encoder learned.
var encoder = ((MulticlassPredictionTransformer<TransformerClassifierModelParameters>)classifier.ToList()[2]).Model;
var embedPipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 32))
    .Append(ml.Transforms.Text.EmbedSentences("Embedding", "Tokens", encoder, normalize: true))
    .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(featureColumnName: "Embedding"))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
var embeddings = embedPipeline.Fit(split.TrainSet);
var metrics2 = ml.MulticlassClassification.Evaluate(embeddings.Transform(split.TestSet));
Console.WriteLine(FormattableString.Invariant($"metrics embeddings micro_accuracy={metrics2.MicroAccuracy:0.0000} log_loss={metrics2.LogLoss:0.0000}"));
ml.Model.Save(embeddings, data.Schema, embeddingPath);

PrintScores("classifier", classifier);
PrintScores("embeddings", embeddings);
return 0;

void PrintScores(string name, ITransformer model)
{
    var engine = ml.Model.CreatePredictionEngine<Review, ReviewPrediction>(model);
    for (int i = 0; i < probes.Length; i++)
    {
        var p = engine.Predict(new Review { Text = probes[i] });
        Console.WriteLine($"{name} {i} {p.PredictedLabel} {string.Join(' ', p.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}");
    }
}

/// <summary>A training row of the generated TSV.</summary>
internal sealed class Review
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}

/// <summary>What the pipelines add.</summary>
internal sealed class ReviewPrediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
