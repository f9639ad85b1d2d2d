namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

[TestClass]
public sealed class SingleSentenceTests
{
    [TestMethod]
    [DataRow("none", 0)]
    [DataRow("rope", 64)] // RotaryModule (scheme side) allocates one 64-byte closure per hook call: 1 layer here.
    public void Predict_OneSentence_AllocatesNothing_AndMatchesTheRowMapper(string scheme, int schemeBytesPerCall)
    {
        var ml = new MLContext(1);
        var rows = OrderTask.Ids(64, 8);
        var data = TrainerTestKit.Keyed(ml, rows);
        var model = ml.MulticlassClassification.Trainers.Transformer(TrainerTestKit.Small(scheme == "rope" ? PositionEncoding.Rotary() : PositionEncoding.None(), 1)).Fit(data);
        var viaView = TrainerTestKit.Scores(model.Transform(data));

        var probabilities = new float[model.ClassCount];
        // Warm-up: buffers are planned once and small per-length tables once per distinct length.
        foreach (var row in rows) model.Predict(row.Tokens, probabilities);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rows.Count; r++) model.Predict(rows[r].Tokens, probabilities);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsLessThanOrEqualTo((long)rows.Count * schemeBytesPerCall, allocated, $"bytes allocated by {rows.Count} single-sentence predictions");

        for (int r = 0; r < rows.Count; r++)
        {
            model.Predict(rows[r].Tokens, probabilities);
            CollectionAssert.AreEqual(viaView[r], probabilities, $"row {r}");
        }
    }
}
