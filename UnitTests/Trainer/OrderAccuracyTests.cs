namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// Accuracy floors through the whole pipeline (MapValueToKey -> TokenizeToIds -> Transformer -> MapKeyToValue) on the
/// order task, where only a model that sees word order can beat a coin toss.
/// </summary>
[TestClass]
public sealed class OrderAccuracyTests
{
    [TestMethod]
    public void Rope_LearnsWordOrder()
    {
        double accuracy = TestAccuracy(PositionEncoding.Rotary());
        Assert.IsTrue(accuracy >= 0.98, $"RoPE test accuracy {accuracy:0.000}");
    }

    [TestMethod]
    public void NoPositionEncoding_StaysNearChance()
    {
        double accuracy = TestAccuracy(PositionEncoding.None());
        Assert.IsTrue(accuracy is > 0.38 and < 0.62, $"order-blind test accuracy {accuracy:0.000} should be near 0.5");
    }

    private static double TestAccuracy(PositionEncoding encoding)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Text(1200, 21));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Text(400, 22));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16))
            .Append(ml.MulticlassClassification.Trainers.Transformer(TrainerTestKit.Small(encoding, epochs: 6)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(train);
        return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
    }
}
