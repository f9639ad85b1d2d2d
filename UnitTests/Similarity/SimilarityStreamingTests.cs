using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Similarity;

using PairRow = SimilarityPipelineTests.PairRow;

/// <summary>
/// StreamingBufferRows on the sentence-similarity trainer through ML.NET: the training view is read again every epoch (a source
/// that counts its enumerations shows it), the role-pairs task ranks as well as in memory, the first pass finds the label range
/// and names the column and row of a bad one, and a negative buffer names the option.
/// </summary>
[TestClass]
public sealed class SimilarityStreamingTests
{
    private static SentenceSimilarityOptions Options(int epochs, int streamingBufferRows) => new()
    {
        Layers = 2, ModelDimension = 32, Heads = 2, FeedForwardDimension = 64, Dropout = 0f, MaxTokens = 16, Epochs = epochs, BatchSize = 16,
        LearningRate = 5e-3, WarmupFraction = 0.05, Seed = 3, Threads = 1, EarlyStoppingPatience = 0, LabelMin = 0, LabelMax = 1,
        PositionEncoding = MLComponents.PositionEncoding.Rotary(), StreamingBufferRows = streamingBufferRows,
    };

    private static (double Spearman, int Reads, SentenceSimilarityTransformer Model) Train(int streamingBufferRows)
    {
        var ml = new MLContext(seed: 1);
        var rows = new CountedRows<PairRow>(SimilarityPipelineTests.Rows(RolePairsTask.Make(1200, seed: 1)));
        var train = ml.Data.LoadFromEnumerable(rows);
        var test = ml.Data.LoadFromEnumerable(SimilarityPipelineTests.Rows(RolePairsTask.Make(400, seed: 2)));
        var model = ml.Regression.Trainers.SentenceSimilarity(Options(epochs: 10, streamingBufferRows)).Fit(train);
        var spearman = ml.Regression.EvaluateCorrelation(model.Transform(test)).SpearmanCorrelation;
        return (spearman, rows.Reads, model);
    }

    [TestMethod]
    public void Streamed_ReadsTheViewOncePerEpochPlusACountingPass_AndRanksAsInMemory()
    {
        var inMemory = Train(0);
        var streamed = Train(300);

        Console.WriteLine($"held-out Spearman: in memory {inMemory.Spearman:F4}, streamed {streamed.Spearman:F4}");
        Assert.AreEqual(1, inMemory.Reads, "in memory: the rows are read once");
        Assert.AreEqual(10, streamed.Model.EpochsTrained);
        Assert.AreEqual(1 + 10, streamed.Reads, "streamed: a counting pass, then one pass per epoch (no rows are held out)");
        Assert.IsGreaterThanOrEqualTo(0.9, inMemory.Spearman, "in-memory held-out Spearman");
        Assert.IsGreaterThanOrEqualTo(0.9, streamed.Spearman, "streamed held-out Spearman");
    }

    [TestMethod]
    public void Streamed_TakesTheLabelRangeAndCountsFromTheFirstPass_NamesABadRow_AndRefusesANegativeOption()
    {
        var ml = new MLContext(seed: 1);
        var rows = SimilarityPipelineTests.Rows(RolePairsTask.Make(200, seed: 3));
        rows[5].Label = float.NaN;
        rows[9].Sentence1Tokens = [.. Enumerable.Repeat(rows[9].Sentence1Tokens, 4).SelectMany(t => t)];
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Options(epochs: 1, streamingBufferRows: 64) with { Layers = 1, LabelMin = null, LabelMax = null };
        var model = ml.Regression.Trainers.SentenceSimilarity(options).Fit(data);
        var labelled = rows.Where(r => !float.IsNaN(r.Label)).Select(r => r.Label).ToList();
        Assert.AreEqual(labelled.Min(), model.LabelMin, "LabelMin from the first pass");
        Assert.AreEqual(labelled.Max(), model.LabelMax, "LabelMax from the first pass");
        Assert.AreEqual(1, model.SkippedTrainingRows, "the NaN label is skipped");
        Assert.AreEqual(1, model.TruncatedTrainingSequences, "the one side past MaxTokens (16) is counted");

        rows[150].Sentence2Tokens = [4, -7];
        var bad = Assert.ThrowsExactly<InvalidDataException>(() => ml.Regression.Trainers.SentenceSimilarity(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(bad.Message, "Column 'Sentence2Tokens', training row 150: token id -7 is negative");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            ml.Regression.Trainers.SentenceSimilarity(options with { StreamingBufferRows = -1 })).Message, "Option 'StreamingBufferRows'");
    }
}
