using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

/// <summary>The DESIGN.md pipeline shape end to end, with a toy trainer standing in for the Transformer.</summary>
[TestClass]
public sealed class PipelineEndToEndTests
{
    public sealed class Point
    {
        [LoadColumn(0)] public string Label { get; set; } = "";
        [LoadColumn(1, 2)] public float[] Features { get; set; } = [];
    }

    public sealed class PointPrediction
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    private static string WriteData(int rows, int seed)
    {
        // Three well separated blobs; class names deliberately include a separator-free quote.
        var rng = new Random(seed);
        string[] names = ["north", "south", "\"east\" side"];
        (float, float)[] centres = [(0, 5), (0, -5), (5, 0)];
        var lines = new List<string> { "Label\tX\tY" };
        for (int i = 0; i < rows; i++)
        {
            int c = i % 3;
            float x = centres[c].Item1 + (float)(rng.NextDouble() - 0.5), y = centres[c].Item2 + (float)(rng.NextDouble() - 0.5);
            string label = c == 2 ? "\"\"\"east\"\" side\"" : names[c];
            lines.Add(FormattableString.Invariant($"{label}\t{x}\t{y}"));
        }
        var path = Path.Combine(Path.GetTempPath(), $"mlc-core-{Guid.NewGuid():N}.tsv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [TestMethod]
    public void ReadmeShapedPipelineFitsEvaluatesSavesLoadsAndPredictsIdentically()
    {
        string trainPath = WriteData(60, 1), testPath = WriteData(30, 2);
        var modelPath = Path.ChangeExtension(trainPath, ".zip");
        try
        {
            var ml = new MLContext(seed: 1);
            ml.ComponentCatalog.RegisterAssembly(typeof(NearestCentroidModel).Assembly);
            IDataView train = ml.Data.LoadFromTextFile<Point>(trainPath, hasHeader: true, separatorChar: '\t');
            IDataView test = ml.Data.LoadFromTextFile<Point>(testPath, hasHeader: true, separatorChar: '\t');
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(new NearestCentroidTrainer())
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            var model = pipeline.Fit(train);

            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test), predictedLabelColumnName: "NoSuchColumn");
            Assert.AreEqual(1.0, metrics.MicroAccuracy, "the blobs are separable; a broken pipeline would not get them all");
            Assert.AreEqual(1.0, metrics.MacroAccuracy);
            Assert.IsLessThan(0.01, metrics.LogLoss);
            StringAssert.Contains(metrics.ConfusionMatrix.GetFormattedConfusionTable(), "\"east\" side");

            ml.Model.Save(model, train.Schema, modelPath);
            var loadedMl = new MLContext(seed: 2);
            loadedMl.ComponentCatalog.RegisterAssembly(typeof(NearestCentroidModel).Assembly);
            var loaded = loadedMl.Model.Load(modelPath, out var inputSchema);
            using var original = ml.Model.CreatePredictionEngine<Point, PointPrediction>(model);
            using var engine = loadedMl.Model.CreatePredictionEngine<Point, PointPrediction>(loaded, inputSchema);
            foreach (var p in ml.Data.CreateEnumerable<Point>(test, reuseRowObject: false))
            {
                var a = original.Predict(p);
                var b = engine.Predict(p);
                Assert.AreEqual(p.Label, b.PredictedLabel);
                Assert.AreEqual(a.PredictedLabel, b.PredictedLabel);
                CollectionAssert.AreEqual(a.Score, b.Score, "bit-identical scores after save/load");
                Assert.AreEqual(1.0, b.Score.Sum(), 1e-5);
            }
        }
        finally
        {
            File.Delete(trainPath);
            File.Delete(testPath);
            File.Delete(modelPath);
        }
    }
}
