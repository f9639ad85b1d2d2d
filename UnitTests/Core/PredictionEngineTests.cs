using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class PredictionEngineTests
{
    public sealed class Review
    {
        [LoadColumn(0)] public string Label { get; set; } = "";
        [LoadColumn(1)] public string Text { get; set; } = "";
        [LoadColumn(2, 3)] public float[] Features { get; set; } = [];
    }

    public sealed class ReviewPrediction
    {
        [ColumnName("LabelKey")] public uint Key { get; set; }
        public string LabelBack { get; set; } = "";
        public float[] Squares { get; set; } = [];
    }

    private static (MLContext, IDataView, ITransformer) Fit()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(new Review[]
        {
            new() { Label = "pos", Text = "good", Features = [1, 2] },
            new() { Label = "neg", Text = "bad", Features = [3, 4] },
        });
        var model = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.Transforms.Conversion.MapKeyToValue("LabelBack", "LabelKey"))
            .Append(new SquareEstimator())
            .Fit(train);
        return (ml, train, model);
    }

    [TestMethod]
    public void PredictMapsOutputsByNameAndAttribute()
    {
        var (ml, _, model) = Fit();
        using var engine = ml.Model.CreatePredictionEngine<Review, ReviewPrediction>(model);
        var p = engine.Predict(new Review { Label = "neg", Features = [3, -0.5f] });
        Assert.AreEqual(2u, p.Key);
        Assert.AreEqual("neg", p.LabelBack);
        CollectionAssert.AreEqual(new[] { 9f, 0.25f }, p.Squares);
        var q = engine.Predict(new Review { Label = "unknown", Features = [1, 1] });
        Assert.AreEqual(0u, q.Key);
        Assert.AreEqual("", q.LabelBack);
        Assert.AreNotSame(p.Squares, q.Squares, "results do not share buffers");
        CollectionAssert.AreEqual(new[] { 9f, 0.25f }, p.Squares);
    }

    public sealed class BadPrediction
    {
        public string Missing { get; set; } = "";
    }

    [TestMethod]
    public void UnmappableOutputMemberIsASchemaError()
    {
        var (ml, _, model) = Fit();
        var e = Assert.ThrowsExactly<SchemaException>(() => ml.Model.CreatePredictionEngine<Review, BadPrediction>(model));
        Assert.AreEqual("Missing", e.ColumnName);
        using var lenient = ml.Model.CreatePredictionEngine<Review, BadPrediction>(model, ignoreMissingColumns: true);
        Assert.AreEqual("", lenient.Predict(new Review { Features = [0, 0] }).Missing);
    }

    [TestMethod]
    public void SavedAndLoadedModelPredictsIdentically()
    {
        var (ml, train, model) = Fit();
        var loadedMl = new MLContext(5);
        loadedMl.ComponentCatalog.RegisterAssembly(typeof(SquareTransformer).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(SquareTransformer).Assembly);
        var path = Path.Combine(Path.GetTempPath(), $"mlc-core-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = loadedMl.Model.Load(path, out var schema);
            using var a = ml.Model.CreatePredictionEngine<Review, ReviewPrediction>(model);
            using var b = loadedMl.Model.CreatePredictionEngine<Review, ReviewPrediction>(loaded, schema);
            var inputs = new Review[] { new() { Label = "pos", Features = [0.1f, 7] }, new() { Label = "neg", Features = [-2, 1e-3f] }, new() { Label = "?", Features = [5, 5] } };
            foreach (var x in inputs)
            {
                var pa = a.Predict(x);
                var pb = b.Predict(x);
                Assert.AreEqual(pa.Key, pb.Key);
                Assert.AreEqual(pa.LabelBack, pb.LabelBack);
                CollectionAssert.AreEqual(pa.Squares, pb.Squares);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>A trivial estimator around a saveable row-to-row transformer: Squares = Features².</summary>
internal sealed class SquareEstimator() : TrivialEstimator<SquareTransformer>(new SquareTransformer())
{
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        inputSchema.WithColumns(new SchemaShape.Column("Squares", SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false));
}
