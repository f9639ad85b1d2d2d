namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

[TestClass]
public sealed class SingleSentenceTests
{
    [TestMethod]
    [DataRow("none")]
    [DataRow("rope")]
    [DataRow("scaled-embedding")] // its vectors depend on the real length N: alone (unpadded) must equal in a padded batch
    public void Predict_OneSentence_AllocatesNothing_AndMatchesTheRowMapper(string scheme)
    {
        var ml = new MLContext(1);
        var rows = OrderTask.Ids(64, 8);
        var data = TrainerTestKit.Keyed(ml, rows);
        var model = ml.MulticlassClassification.Trainers.Transformer(TrainerTestKit.Small(PositionEncoding.FromName(scheme), 1)).Fit(data);
        var viaView = TrainerTestKit.Scores(model.Transform(data));

        var probabilities = new float[model.Model.ClassCount];
        // Warm-up: buffers are planned once and small per-length tables once per distinct length.
        foreach (var row in rows) model.Model.Predict(row.Tokens, probabilities);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rows.Count; r++) model.Model.Predict(rows[r].Tokens, probabilities);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(0L, allocated, $"bytes allocated by {rows.Count} single-sentence predictions");

        for (int r = 0; r < rows.Count; r++)
        {
            model.Model.Predict(rows[r].Tokens, probabilities);
            CollectionAssert.AreEqual(viaView[r], probabilities, $"row {r}");
        }
    }
}
