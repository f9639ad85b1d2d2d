using MLComponents.Trainers;

namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// StreamingBufferRows through the ML.NET pipeline: the trainer reads the training view again every epoch (a source that
/// counts its enumerations shows it), learns the order task as well as in memory, and keeps its counts and checks.
/// </summary>
[TestClass]
public sealed class StreamingTrainingTests
{
    private static List<TextRow> Rows(int count, int seed) => OrderTask.Text(count, seed);

    private static (double Accuracy, int Reads, TransformerClassifierModelParameters Model) Train(int streamingBufferRows)
    {
        var ml = new MLContext(seed: 1);
        var rows = new CountedRows<TextRow>(Rows(1200, 21));
        var train = ml.Data.LoadFromEnumerable(rows);
        var test = ml.Data.LoadFromEnumerable(Rows(400, 22));
        var options = TrainerTestKit.Small(PositionEncoding.Rotary(), epochs: 6);
        options.StreamingBufferRows = streamingBufferRows;
        var trainer = ml.MulticlassClassification.Trainers.Transformer(options);
        var prefix = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16));
        var prepared = prefix.Fit(train);
        int before = rows.Reads;
        var predictor = trainer.Fit(prepared.Transform(train));
        int reads = rows.Reads - before;
        var accuracy = ml.MulticlassClassification.Evaluate(predictor.Transform(prepared.Transform(test))).MicroAccuracy;
        return (accuracy, reads, predictor.Model);
    }

    [TestMethod]
    public void Streamed_ReadsTheViewOncePerEpochPlusACountingPass_AndLearnsAsInMemory()
    {
        var inMemory = Train(0);
        var streamed = Train(300);

        Assert.AreEqual(1, inMemory.Reads, "in memory: the rows are read once");
        Assert.AreEqual(2 + streamed.Model.EpochsTrained, streamed.Reads, "streamed: a counting pass, a pass to read the held-out tenth, then one pass per epoch");
        Assert.IsTrue(inMemory.Accuracy >= 0.98, $"in-memory RoPE {inMemory.Accuracy:0.000}");
        Assert.IsTrue(streamed.Accuracy >= 0.98, $"streamed RoPE {streamed.Accuracy:0.000}");
        Assert.IsTrue(streamed.Model.EpochsTrained is >= 4 and <= 6, $"{streamed.Model.EpochsTrained} epochs");
    }

    [TestMethod]
    public void Streamed_CountsTruncatedRows_AndRefusesANegativeOption()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(200, 3);
        rows[17].Text = string.Join(' ', Enumerable.Repeat(rows[17].Text, 4));
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.TokenizeToIds("Tokens", "Text"))
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var options = TrainerTestKit.Small(PositionEncoding.Rotary(), epochs: 1);
        options.StreamingBufferRows = 64;
        var model = ml.MulticlassClassification.Trainers.Transformer(options).Fit(data).Model;
        Assert.AreEqual(1, model.TruncatedTrainingSequences, "the one row past MaxTokens (16) is counted");

        options.StreamingBufferRows = -1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.Transformer(options).Fit(data)).Message,
            "Option 'StreamingBufferRows'");
    }
}
