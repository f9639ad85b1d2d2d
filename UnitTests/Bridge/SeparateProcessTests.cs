using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace MLComponents.UnitTests.Bridge;

/// <summary>
/// The user's view of persistence: a plain ML.NET application (UnitTests/PipelineApp, referencing only Microsoft.ML and our
/// assemblies) trains pipelines that mix ML.NET's steps with ours, evaluates and saves them; a second process loads each .zip with
/// a new MLContext, no registration call, and its PredictionEngine gives the same scores.
/// </summary>
[TestClass]
public sealed class SeparateProcessTests
{
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void PipelinesSavedByOneProcessPredictTheSameInAnother()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlc-process-" + Guid.NewGuid().ToString("N"));
        try
        {
            var train = Run("train", dir);
            var predict = Run("predict", dir);

            // Both pipelines learned the word-order task (a bag of words is at about one half on it).
            var metrics = train.Where(l => l.StartsWith("metrics ", StringComparison.Ordinal)).ToList();
            Assert.AreEqual(2, metrics.Count, string.Join("\n", train));
            foreach (var line in metrics)
            {
                double accuracy = double.Parse(line.Split(' ').Single(p => p.StartsWith("micro_accuracy=", StringComparison.Ordinal))[15..], CultureInfo.InvariantCulture);
                Assert.IsTrue(accuracy >= 0.9, line);
            }

            var trained = Scores(train);
            var loaded = Scores(predict);
            Assert.AreEqual(8, trained.Count, string.Join("\n", train));
            CollectionAssert.AreEquivalent(trained.Keys.ToList(), loaded.Keys.ToList());
            foreach (var (key, (label, scores)) in trained)
            {
                var (loadedLabel, loadedScores) = loaded[key];
                Assert.AreEqual(label, loadedLabel, key);
                Assert.AreEqual(scores.Length, loadedScores.Length, key);
                Assert.AreEqual(1.0, scores.Sum(), 1e-5, $"{key}: class probabilities sum to one");
                for (int i = 0; i < scores.Length; i++) Assert.AreEqual(scores[i], loadedScores[i], 1e-6, $"{key} score {i}");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static Dictionary<string, (string Label, double[] Scores)> Scores(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("classifier ", StringComparison.Ordinal) || l.StartsWith("embeddings ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .ToDictionary(p => $"{p[0]} {p[1]}", p => (p[2], p[3..].Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray()));

    private static List<string> Run(string mode, string dir)
    {
        string app = typeof(SeparateProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PipelineAppPath").Value!;
        Assert.IsTrue(File.Exists(app), $"{app} was not built");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { app, mode, dir }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{mode} failed:\n{stdout}\n{stderr.Result}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
    }
}
