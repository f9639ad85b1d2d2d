using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Samples.CommandLine;
using MLComponents.Samples.Progress;
using MLComponents.Samples.Tsv;
using MLComponents.Trainers;
using Spectre.Console;

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
    private const int BatchSize = 16;

    /// <summary>Runs the sample; returns the process exit code (0 ok, 1 failure, 2 bad arguments).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Progress lines, metrics, embeddings.</param>
    /// <param name="stderr">Notes and the one-line error.</param>
    /// <param name="terminal">An interactive terminal for a live progress bar, or null for plain per-epoch lines.</param>
    /// <param name="cancellationToken">Stops training between steps (exit code 130).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IAnsiConsole? terminal = null, CancellationToken cancellationToken = default)
    {
        var command = new SimilarityCommand();
        return SampleCommandLine.Invoke(command.Command, args, stdout, stderr, command.Check, parsed =>
        {
            Train(command.Read(parsed), stdout, stderr, TrainingDisplay.For(terminal, stdout), cancellationToken);
            return 0;
        });
    }

    private static void Train(SimilaritySettings s, TextWriter stdout, TextWriter stderr, TrainingDisplay display, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: s.Seed);
        IDataView train;
        var tests = new List<(string Name, IDataView Data)>();
        if (s.TrainFile is null)
        {
            stdout.WriteLine("Training on embedded agent/patient pairs (\"the cat chased the mouse\" vs \"the mouse chased the cat\": same words, different meaning).");
            train = ml.Data.LoadFromEnumerable(ToText(AgentPatientPairs.Make(1200, seed: 21)));
            tests.Add(("agent-patient-test", ml.Data.LoadFromEnumerable(ToText(AgentPatientPairs.Make(400, seed: 22)))));
        }
        else
        {
            train = LoadTsv(ml, s.TrainFile, s.Quoting, stderr);
            foreach (var f in s.TestFiles) tests.Add((Path.GetFileName(f), TsvFile.SameFile(f, s.TrainFile) ? train : LoadTsv(ml, f, s.Quoting, stderr)));
        }

        // One tokenizer for both sides: the two token columns must share one vocabulary.
        var sentences = train.GetColumn<ReadOnlyMemory<char>>("Sentence1").Concat(train.GetColumn<ReadOnlyMemory<char>>("Sentence2"))
            .Select(t => new SentenceText { Text = t.ToString() }).ToList();
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: s.MaxTokens).Fit(ml.Data.LoadFromEnumerable(sentences));
        var featurise = new TransformerChain<ITransformer>(tokenizer.WithColumns("Sentence1Tokens", "Sentence1"), tokenizer.WithColumns("Sentence2Tokens", "Sentence2"));
        var pairs = featurise.Transform(train);
        long labelled = train.GetColumn<float>("Label").LongCount(label => !float.IsNaN(label));
        var similarity = display.Run("training", progress => ml.Regression.Trainers.SentenceSimilarity(new SentenceSimilarityOptions
        {
            PositionEncoding = s.CreateEncoding(),
            Loss = s.Loss,
            Layers = 2, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f, MaxTokens = s.MaxTokens,
            Epochs = s.Epochs, BatchSize = BatchSize, LearningRate = 5e-3, WarmupFraction = 0.05,
            Progress = TrainerProgress.Similarity(progress, s.Epochs, TrainerProgress.SimilaritySteps(labelled, BatchSize, s.Epochs)),
            ProgressInterval = display.IsLive ? 5 : 50,
            Backend = s.Backend,
            Device = s.Device,
        }).Fit(pairs, validation: null, cancellationToken));
        var model = featurise.Append(similarity);

        foreach (var (name, data) in tests)
        {
            var scored = model.Transform(data);
            var correlation = ml.Regression.EvaluateCorrelation(scored);
            var regression = ml.Regression.Evaluate(scored);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test={name} pearson={correlation.PearsonCorrelation:0.0000} spearman={correlation.SpearmanCorrelation:0.0000} rmse={regression.RootMeanSquaredError:0.0000}"));
        }

        if (s.TrainFile is null)
        {
            // Sentence embeddings from the same encoder, served through Microsoft.Extensions.AI from a saved ML.NET model.
            var one = ml.Data.LoadFromEnumerable(sentences.Take(1));
            var embed = new TransformerChain<ITransformer>(tokenizer,
                ml.Transforms.Text.EmbedSentences("Embedding", "Tokens", similarity).Fit(tokenizer.Transform(one)));
            string path = Path.Combine(Path.GetTempPath(), $"mlcomponents-sentence-embeddings-{Environment.ProcessId}.zip");
            ml.Model.Save(embed, one.Schema, path);
            using (var generator = SentenceEmbeddingGenerator.Load(ml, path))
            {
                string[] texts = ["the cat chased the mouse", "the cat pursued the mouse", "the mouse chased the cat", "the teacher helped the child"];
                var vectors = generator.GenerateAsync(texts).GetAwaiter().GetResult();
                stdout.WriteLine($"Embeddings ({generator.Dimension} floats, L2-normalised) from {path}:");
                for (int i = 1; i < texts.Length; i++)
                {
                    float cos = System.Numerics.Tensors.TensorPrimitives.Dot(vectors[0].Vector.Span, vectors[i].Vector.Span);
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cos(\"{texts[0]}\", \"{texts[i]}\") = {cos:0.000}"));
                }
            }
            File.Delete(path);
        }
    }

    private static List<PairText> ToText(List<AgentPatientPairs.Pair> pairs) =>
        [.. pairs.Select(p => new PairText { Sentence1 = string.Join(' ', p.Sentence1), Sentence2 = string.Join(' ', p.Sentence2), Label = p.Label })];

    /// <summary>Loads Sentence1, Sentence2 and Label (by header name) and caches them: training reads them once per epoch.</summary>
    private static IDataView LoadTsv(MLContext ml, string path, TsvQuoting quoting, TextWriter stderr)
    {
        var data = TsvFile.Load(ml, path,
            [
                new TsvColumn("Sentence1", DataKind.String, "Sentence1"),
                new TsvColumn("Sentence2", DataKind.String, "Sentence2"),
                new TsvColumn("Label", DataKind.Single, "Label"),
            ], quoting);
        foreach (string note in data.Notes) stderr.WriteLine($"note: {Path.GetFileName(path)}: {note}");
        return ml.Data.Cache(data.View);
    }
}
