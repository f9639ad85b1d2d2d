using System.Globalization;
using Microsoft.Extensions.AI;
using MLComponents.Engine;
using MLComponents.Trainers;

namespace MLComponents.Samples.SentenceSimilarity;

/// <summary>A sentence pair as text.</summary>
public sealed class PairText
{
    /// <summary>First sentence.</summary>
    public string Sentence1 { get; set; } = "";

    /// <summary>Second sentence.</summary>
    public string Sentence2 { get; set; } = "";

    /// <summary>Similarity label.</summary>
    public float Label { get; set; }
}

/// <summary>One text column, for fitting the shared tokenizer on both sides of the pairs.</summary>
public sealed class SentenceText
{
    /// <summary>A sentence.</summary>
    public string Text { get; set; } = "";
}

/// <summary>Trains a siamese sentence-similarity model and reports Pearson/Spearman/RMSE per test set.</summary>
public static class SimilarityApp
{
    /// <summary>Runs the sample; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        SimilarityArguments a;
        try
        {
            a = SimilarityArguments.Parse(args);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine(SimilarityArguments.Usage);
            return 2;
        }
        try
        {
            Train(a, stdout);
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SchemaException or UnauthorizedAccessException or InvalidOperationException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static void Train(SimilarityArguments a, TextWriter stdout)
    {
        var ml = new MLContext(seed: a.Seed);
        IDataView train;
        var tests = new List<(string Name, IDataView Data)>();
        if (a.TrainFile is null)
        {
            stdout.WriteLine("Training on embedded agent/patient pairs (\"the cat chased the mouse\" vs \"the mouse chased the cat\": same words, different meaning).");
            train = ml.Data.LoadFromEnumerable(ToText(AgentPatientPairs.Make(1200, seed: 21)));
            tests.Add(("agent-patient-test", ml.Data.LoadFromEnumerable(ToText(AgentPatientPairs.Make(400, seed: 22)))));
        }
        else
        {
            train = LoadTsv(ml, a.TrainFile);
            foreach (var f in a.TestFiles) tests.Add((Path.GetFileName(f), LoadTsv(ml, f)));
        }

        // One tokenizer for both sides: the two token columns must share one vocabulary.
        var sentences = train.GetColumn<ReadOnlyMemory<char>>("Sentence1").Concat(train.GetColumn<ReadOnlyMemory<char>>("Sentence2"))
            .Select(s => new SentenceText { Text = s.ToString() }).ToList();
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: a.MaxTokens).Fit(ml.Data.LoadFromEnumerable(sentences));
        var featurise = new TransformerChain<ITransformer>(tokenizer.WithColumns("Sentence1Tokens", "Sentence1"), tokenizer.WithColumns("Sentence2Tokens", "Sentence2"));
        var similarity = ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions
        {
            PositionEncoding = a.CreateEncoding(),
            Loss = a.Loss == "cosent" ? SimilarityLoss.CoSent : SimilarityLoss.MeanSquaredError,
            Layers = 2, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f, MaxTokens = a.MaxTokens,
            Epochs = a.Epochs, BatchSize = 16, LearningRate = 5e-3, WarmupFraction = 0.05,
        }).Fit(featurise.Transform(train));
        var model = featurise.Append(similarity);

        foreach (var (name, data) in tests)
        {
            var m = ml.Regression.Evaluate(model.Transform(data));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test={name} pearson={m.PearsonCorrelation:0.0000} spearman={m.SpearmanCorrelation:0.0000} rmse={m.RootMeanSquaredError:0.0000}"));
        }

        if (a.TrainFile is null)
        {
            // Sentence embeddings from the same encoder, served through Microsoft.Extensions.AI from a saved pipeline.
            var one = ml.Data.LoadFromEnumerable(sentences.Take(1));
            var embed = new TransformerChain<ITransformer>(tokenizer,
                ml.Transforms.Text.EmbedSentences("Embedding", "Tokens", similarity).Fit(tokenizer.Transform(one)));
            string path = Path.Combine(Path.GetTempPath(), $"mlcomponents-sentence-embeddings-{Environment.ProcessId}.zip");
            ml.Model.Save(embed, one.Schema, path);
            using var generator = SentenceEmbeddingGenerator.Load(ml, path);
            string[] texts = ["the cat chased the mouse", "the cat pursued the mouse", "the mouse chased the cat", "the teacher helped the child"];
            var vectors = generator.GenerateAsync(texts).GetAwaiter().GetResult();
            stdout.WriteLine($"Embeddings ({generator.Dimension} floats, L2-normalised) from {path}:");
            for (int i = 1; i < texts.Length; i++)
            {
                float cos = System.Numerics.Tensors.TensorPrimitives.Dot(vectors[0].Vector.Span, vectors[i].Vector.Span);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cos(\"{texts[0]}\", \"{texts[i]}\") = {cos:0.000}"));
            }
            File.Delete(path);
        }
    }

    private static List<PairText> ToText(List<AgentPatientPairs.Pair> pairs) =>
        [.. pairs.Select(p => new PairText { Sentence1 = string.Join(' ', p.Sentence1), Sentence2 = string.Join(' ', p.Sentence2), Label = p.Label })];

    private static IDataView LoadTsv(MLContext ml, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"File '{path}' does not exist.", path);
        return ml.Data.LoadFromTextFile(path,
            [
                new TextLoader.Column("Sentence1", DataKind.String, "Sentence1"),
                new TextLoader.Column("Sentence2", DataKind.String, "Sentence2"),
                new TextLoader.Column("Label", DataKind.Single, "Label"),
            ], separatorChar: '\t', hasHeader: true);
    }
}
