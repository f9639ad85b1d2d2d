using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;

namespace MLComponents.UnitTests.Bridge;

/// <summary>
/// A process killed while saving must not destroy the model file it replaces: ml.Model.SaveAtomic writes a temporary file and
/// renames it. The app saves a 20 MB model over and over; the test kills it in the middle of saves and loads what is left.
/// </summary>
[TestClass]
public sealed class KillDuringSaveTests
{
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void KillingTheProcessMidSaveLeavesThePreviousModelLoadable()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlc-kill-" + Guid.NewGuid().ToString("N"));
        string target = Path.Combine(dir, "large.zip");
        var rng = new Random(5);
        int killedMidSave = 0;
        try
        {
            for (int round = 0; round < 2; round++)
            {
                using var process = Start(dir);
                // Wait for one complete save (so a model file exists), then kill during a later one.
                string? line;
                while ((line = process.StandardOutput.ReadLine()) is not null && line != "saved 1") { }
                Assert.AreEqual("saved 1", line, "the app stopped before its first save");
                while ((line = process.StandardOutput.ReadLine()) is not null && !line.StartsWith("saving ", StringComparison.Ordinal)) { }
                Thread.Sleep(rng.Next(20, 250));
                process.Kill(entireProcessTree: true);
                process.WaitForExit();

                var leftovers = Directory.GetFiles(dir, ".large.zip.*.tmp");
                if (leftovers.Length > 0) killedMidSave++;
                // Whatever moment the kill hit, the target is a whole model: verified entry by entry, and it predicts.
                var ml = new MLContext(seed: 1);
                var model = ml.Model.LoadVerified(target, out var schema);
                Assert.IsNotNull(schema.GetColumnOrNull("Text"));
                var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
                var scores = engine.Predict(new Row { Text = "word1 filler" }).Score;
                Assert.AreEqual(2, scores.Length);
                Assert.AreEqual(1.0, scores.Sum(), 1e-5);
            }
            // At least one kill landed inside a save (its temporary file was left behind by the killed process).
            Assert.IsTrue(killedMidSave >= 1, "no kill landed in the middle of a save");

            // The next save removes what killed processes left.
            using (var process = Start(dir))
            {
                string? line;
                while ((line = process.StandardOutput.ReadLine()) is not null && line != "saved 1") { }
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            Assert.IsTrue(Directory.GetFiles(dir, ".large.zip.*.tmp").Length <= 1, "abandoned temporary files were not removed");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static Process Start(string dir)
    {
        string app = typeof(KillDuringSaveTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PipelineAppPath").Value!;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { app, "save-loop", dir }) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }
}
