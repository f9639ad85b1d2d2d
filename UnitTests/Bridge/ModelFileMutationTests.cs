using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;
using MLComponents.ModelFuzz;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Bridge;

/// <summary>
/// Saved models damaged in many ways (the generator of Benchmarks/ModelFuzz, whose harness runs ten thousand): every load attempt ends in an exception naming what is wrong (the file and entry, or our
/// component and its entry), or in a model that predicts exactly as the original did (a harmless change such as a timestamp).
/// Never a crash, a hang, or a silently different model.
/// </summary>
[TestClass]
public sealed class ModelFileMutationTests
{
    private const int Mutations = 300;
    private const int Seed = 20261129;
    private static byte[] _classifier = [], _featuriser = [];
    private static float[][] _classifierScores = [], _featuriserScores = [];

    private static readonly string[] Probes = ["the owl saw the cat", "a fox", "", "dog dog dog chased the barn owl"];

    [ClassInitialize]
    public static void Build(TestContext _)
    {
        var ml = new MLContext(seed: 3);
        var rows = Enumerable.Range(0, 120).Select(i => new Row { Label = (i % 3).ToString(), Text = $"w{i % 3} the owl saw the cat {i % 7}" }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16))
            .Append(ml.MulticlassClassification.Trainers.Transformer(new TransformerClassifierOptions
            {
                FeatureColumnName = "Tokens", ModelDimension = 8, Heads = 2, Layers = 1, Epochs = 1, Threads = 1, Seed = 1,
                PositionEncoding = MLComponents.PositionEncoding.Learned(),
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        var featuriser = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16)
            .Append(ml.Transforms.PositionEncoding.EmbedTokens("Embedded", "Tokens", MLComponents.PositionEncoding.Learned(), dimension: 8, combine: EmbedCombine.Add, seed: 2))
            .Append(ml.Transforms.PositionEncoding.Pool("Score", "Embedded"))
            .Fit(data);
        _classifier = Save(ml, classifier, data.Schema);
        _featuriser = Save(ml, featuriser, data.Schema);
        _classifierScores = Predict(ml, classifier);
        _featuriserScores = Predict(ml, featuriser);
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void EveryMutationIsRefusedNamingWhatIsWrongOrLoadsTheSameModel()
    {
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var examples = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < Mutations; i++)
        {
            bool classifier = i % 2 == 0;
            var (kind, bytes) = ModelMutations.Create(classifier ? _classifier : _featuriser, classifier ? _featuriser : _classifier, Seed, i);
            string name = $"mutant-{i}-{kind}.zip";
            var ml = new MLContext(seed: 1);
            var clock = Stopwatch.StartNew();
            string outcome;
            try
            {
                var model = ml.Model.LoadVerified(new MemoryStream(bytes), name, out _);
                var scores = Predict(ml, model);
                // A whole entry of the other model keeps its own CRC, so a swap can make a valid, different model; nothing else may.
                if (kind == "entry swapped between models" && !SameScores(classifier ? _classifierScores : _featuriserScores, scores))
                {
                    outcome = "loads a valid, different model";
                }
                else
                {
                    AssertSameScores(classifier ? _classifierScores : _featuriserScores, scores, name);
                    outcome = "loads the same model";
                }
            }
            catch (ModelFormatException e)
            {
                Assert.IsTrue(e.Message.Contains(name, StringComparison.Ordinal) || e.Message.StartsWith("Saved component ", StringComparison.Ordinal),
                    $"{name}: the message names neither the file nor a component: {e.Message}");
                Assert.IsTrue(e.Message.Length > 40, $"{name}: {e.Message}");
                outcome = e.Entry is null ? "refused: the file" : e.Message.StartsWith("Saved component ", StringComparison.Ordinal) ? "refused: a component's entry" : "refused: a zip entry";
                examples.TryAdd($"{kind}: {outcome}", e.Message);
            }
            catch (Exception e) when (e is not AssertFailedException)
            {
                throw new AssertFailedException($"{name}: {e.GetType().Name} instead of ModelFormatException: {e}", e);
            }
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(5), $"{name} took {clock.Elapsed}");
            string key = $"{kind}: {outcome}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
        foreach (var (key, count) in outcomes) Console.WriteLine($"{count,5}  {key}{(examples.TryGetValue(key, out var m) ? $"\n         e.g. {m}" : "")}");
        Console.WriteLine($"slowest attempt {slowest.TotalMilliseconds:F0} ms");
        // Mutations that reach our components' blobs must be caught by them (CRC, header, shape and finiteness checks).
        Assert.IsTrue(outcomes.Where(o => o.Key.StartsWith("hostile", StringComparison.Ordinal)).All(o => o.Key.EndsWith("a component's entry", StringComparison.Ordinal)),
            string.Join("\n", outcomes.Keys));
        Assert.IsTrue(outcomes.Keys.Count(k => k.Contains("refused", StringComparison.Ordinal)) >= 8, string.Join("\n", outcomes.Keys));
    }

    [TestMethod]
    public void PlainModelLoadReportsDamageToOurEntriesNamingComponentAndEntry()
    {
        foreach (var entry in new[] { "weights.safetensors", "options.json", "vocabulary.txt" })
        {
            var bytes = ModelMutations.Rezip(_classifier, (name, data) =>
            {
                if (!name.EndsWith("/" + entry, StringComparison.Ordinal)) return data;
                var copy = (byte[])data.Clone();
                copy[copy.Length / 2] ^= 0x20;
                return copy;
            });
            var e = Assert.ThrowsExactly<TargetInvocationException>(() => new MLContext().Model.Load(new MemoryStream(bytes), out _));
            // ML.NET creates components through reflection and wraps what they throw; the cause names component and entry.
            var cause = ModelFiles.Cause(e) as ModelFormatException;
            Assert.IsNotNull(cause, e.ToString());
            Assert.AreEqual(entry, cause.Entry);
            StringAssert.Contains(cause.Message, "CRC-32");
            StringAssert.Contains(cause.Message, "TransformerChain/Transform_");
        }
    }

    private static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        var ms = new MemoryStream();
        ml.Model.Save(model, schema, ms);
        return ms.ToArray();
    }

    private static float[][] Predict(MLContext ml, ITransformer model)
    {
        var engine = ml.Model.CreatePredictionEngine<Row, Scored>(model);
        return [.. Probes.Select(p => (float[])engine.Predict(new Row { Text = p, Label = "0" }).Score.Clone())];
    }

    private static bool SameScores(float[][] expected, float[][] actual) =>
        expected.Length == actual.Length && expected.Zip(actual).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    private static void AssertSameScores(float[][] expected, float[][] actual, string name)
    {
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"{name}: loaded, but probe {i} scores differ from the original model's");
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}
