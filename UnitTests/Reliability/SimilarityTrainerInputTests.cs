using MLComponents.Engine;
using MLComponents.Trainers;
using static MLComponents.UnitTests.Reliability.InputTestKit;

namespace MLComponents.UnitTests.Reliability;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// <c>ml.Regression.Trainers.SentenceSimilarity</c> (token-level) against hostile data and options: hostile text trains a finite
/// model, NaN labels are skipped and counted, infinite labels name their row, negative labels set the range, a range that is empty
/// or wider than a float names the label column, Cls pooling over a sentence without the CLS token names it, zero rows and every option past its limit fail naming it, and a diverging run
/// throws instead of returning NaN weights.
/// </summary>
[TestClass]
public sealed class SimilarityTrainerInputTests
{
    private static (IDataView Data, TransformerChain<ITransformer> Tokenize) Prepare(MLContext ml, List<TextPairRow> rows)
    {
        var tokenize = PairTokenizer(ml, Pairs(16));
        return (tokenize.Transform(ml.Data.LoadFromEnumerable(rows)), tokenize);
    }

    [TestMethod]
    [DynamicData(nameof(HostileText.Names), typeof(HostileText))]
    public void HostileTextInTraining_TrainsAFiniteModel_CountsTruncation_AndScoresFinite(string name)
    {
        var ml = new MLContext(seed: 1);
        var rows = Pairs(32);
        rows.Add(new TextPairRow { Sentence1 = HostileText.Get(name), Sentence2 = "the cat saw the dog", Label = 0.5f });
        var tokenize = PairTokenizer(ml, rows, maxTokens: 64);
        var data = tokenize.Transform(ml.Data.LoadFromEnumerable(rows));

        var model = ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(data);

        Assert.AreEqual(name == "5 MB line" ? 1 : 0, model.TruncatedTrainingSequences, "the tokenizer keeps 64 ids, the model 16");
        var scores = Floats(model.Transform(data), "Score").Select(s => s[0]).ToList();
        Assert.IsTrue(scores.All(s => float.IsFinite(s) && s >= -1 - 1e-5 && s <= 1 + 1e-5), "LabelMin + (LabelMax - LabelMin) cos: labels in [0, 1], so in [-1, 1]");
        Assert.AreEqual(scores[^1], Floats(RoundTrip(model, data.Schema).Transform(data), "Score")[^1][0], "the same after save and load");
    }

    [TestMethod]
    [DataRow(0, DisplayName = "in memory")]
    [DataRow(32, DisplayName = "streamed")]
    public void ClsPooling_RefusesSentencesWithoutTheSameFirstToken_NamingTheColumnAndRow_AndTrainsWithTheClsToken(int streamingBufferRows)
    {
        var ml = new MLContext(seed: 1);
        var rows = Pairs(32);
        rows[3].Sentence2 = "zebra " + rows[3].Sentence2;             // Pairs start every sentence with "the"
        var options = TinySimilarity() with { Pooling = Pooling.Cls, StreamingBufferRows = streamingBufferRows };
        var (data, _) = Prepare(ml, rows);

        var bad = Assert.ThrowsExactly<InvalidDataException>(() => ml.Regression.Trainers.SentenceSimilarity(options).Fit(data));
        StringAssert.Contains(bad.Message, "Column 'Sentence2Tokens', training row 3 starts with token id");
        StringAssert.Contains(bad.Message, "column 'Sentence1Tokens', row 0 starts with");

        var sentences = rows.SelectMany(r => new[] { r.Sentence1, r.Sentence2 }).Select(t => new LabelledRow { Text = t }).ToList();
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text", maxTokens: 16, addClsToken: true).Fit(ml.Data.LoadFromEnumerable(sentences));
        var withCls = new TransformerChain<ITransformer>(tokenizer.WithColumns("Sentence1Tokens", "Sentence1"), tokenizer.WithColumns("Sentence2Tokens", "Sentence2"))
            .Transform(ml.Data.LoadFromEnumerable(rows));
        var model = ml.Regression.Trainers.SentenceSimilarity(options).Fit(withCls);
        Assert.IsTrue(Floats(model.Transform(withCls), "Score").All(s => float.IsFinite(s[0])), "with the CLS token it trains and scores");
    }

    [TestMethod]
    public void NaNLabels_AreSkippedAndCounted_AndTheCountIsSaved()
    {
        var ml = new MLContext(seed: 1);
        var rows = Pairs(30);
        for (int i = 0; i < rows.Count; i += 3) rows[i].Label = float.NaN;
        var (data, _) = Prepare(ml, rows);

        var model = ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(data);

        Assert.AreEqual(10, model.SkippedTrainingRows);
        Assert.AreEqual(10, ((SentenceSimilarityTransformer)RoundTrip(model, data.Schema)).SkippedTrainingRows, "after save and load");
    }

    [TestMethod]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void InfiniteLabel_ThrowsNamingTheColumnAndRow(float label)
    {
        var ml = new MLContext(seed: 1);
        var rows = Pairs(12);
        rows[7].Label = label;
        var (data, _) = Prepare(ml, rows);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(data));

        Assert.AreEqual($"Column 'Label', training row 7: label {label} is not finite.", e.Message);
    }

    [TestMethod]
    public void NegativeLabels_SetTheRange_AndScoresStayInIt()
    {
        var ml = new MLContext(seed: 1);
        var rows = Pairs(24).Select(r => new TextPairRow { Sentence1 = r.Sentence1, Sentence2 = r.Sentence2, Label = r.Label * 4 - 3 }).ToList();
        var (data, _) = Prepare(ml, rows);

        var model = ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(data);

        Assert.AreEqual(-3f, model.LabelMin);
        Assert.AreEqual(1f, model.LabelMax);
        Assert.IsTrue(Floats(model.Transform(data), "Score").All(s => s[0] >= -7 - 1e-4 && s[0] <= 1 + 1e-4), "-3 + 4 cos");
    }

    [TestMethod]
    public void LabelsWiderThanAFloat_ThrowNamingTheLabelColumn_InsteadOfScoringNaN()
    {
        var ml = new MLContext(seed: 1);
        var rows = Pairs(12).Select((r, i) => new TextPairRow { Sentence1 = r.Sentence1, Sentence2 = r.Sentence2, Label = i % 2 == 0 ? -3e38f : 3e38f }).ToList();
        var (data, _) = Prepare(ml, rows);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(data));

        StringAssert.StartsWith(e.Message, "The label range [-3E+38, 3E+38] of column 'Label' is wider than a float holds");
    }

    [TestMethod]
    public void OneRow_AndOneLabelValue_ThrowNamingTheEmptyLabelRange_UnlessLabelMinAndMaxAreSet()
    {
        var ml = new MLContext(seed: 1);
        var (one, _) = Prepare(ml, Pairs(1));
        var (flat, _) = Prepare(ml, Pairs(12).Select(r => new TextPairRow { Sentence1 = r.Sentence1, Sentence2 = r.Sentence2, Label = 0.5f }).ToList());

        foreach (var data in new[] { one, flat })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(data));
            StringAssert.Contains(e.Message, "of column 'Label'");
            StringAssert.Contains(e.Message, "is empty");
        }
        var fixedRange = ml.Regression.Trainers.SentenceSimilarity(TinySimilarity() with { LabelMin = 0, LabelMax = 1 }).Fit(one);
        Assert.IsTrue(float.IsFinite(Floats(fixedRange.Transform(one), "Score").Single()[0]), "one row trains with a given range");
    }

    [TestMethod]
    public void ZeroRows_AndOnlyNaNLabels_ThrowNamingTheLabelColumn()
    {
        var ml = new MLContext(seed: 1);
        var (none, _) = Prepare(ml, []);
        var (unlabelled, _) = Prepare(ml, Pairs(4).Select(r => new TextPairRow { Sentence1 = r.Sentence1, Sentence2 = r.Sentence2, Label = float.NaN }).ToList());

        Assert.AreEqual("No training rows with a label in column 'Label' (0 rows with a missing (NaN) label were skipped).",
            Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(none)).Message);
        Assert.AreEqual("No training rows with a label in column 'Label' (4 rows with a missing (NaN) label were skipped).",
            Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(unlabelled)).Message);
    }

    [TestMethod]
    public void NullText_TrainsAndScoresExactlyAsEmptyText()
    {
        var ml = new MLContext(seed: 1);
        List<TextPairRow> Rows(string? missing)
        {
            var rows = Pairs(8);
            rows[3].Sentence2 = missing;
            return rows;
        }
        var (nullData, _) = Prepare(ml, Rows(null));
        var (emptyData, _) = Prepare(ml, Rows(""));

        var fromNull = ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(nullData);
        var fromEmpty = ml.Regression.Trainers.SentenceSimilarity(TinySimilarity()).Fit(emptyData);

        var expected = Floats(fromEmpty.Transform(emptyData), "Score");
        AllRowsEqual(expected, Floats(fromNull.Transform(nullData), "Score"));
        Assert.AreEqual(expected[3][0], Floats(fromEmpty.Transform(nullData), "Score")[3][0], "a null text scores as an empty one");
        Assert.IsTrue(float.IsFinite(expected[3][0]));
    }

    private static Func<SentenceSimilarityOptions, SentenceSimilarityOptions> With(Func<SentenceSimilarityOptions, SentenceSimilarityOptions> f) => f;

    public static IEnumerable<object[]> RefusedOptions =>
    [
        ["Layers 0", With(o => o with { Layers = 0 }), "Layers"],
        ["ModelDimension 0", With(o => o with { ModelDimension = 0 }), "ModelDimension"],
        ["Heads 3", With(o => o with { Heads = 3 }), "Heads"],
        ["FeedForwardDimension 0", With(o => o with { FeedForwardDimension = 0 }), "FeedForwardDimension"],
        ["Dropout 1", With(o => o with { Dropout = 1 }), "Dropout"],
        ["MaxTokens 0", With(o => o with { MaxTokens = 0 }), "MaxTokens"],
        ["Vocabulary -1", With(o => o with { Vocabulary = -1 }), "Vocabulary"],
        ["Pooling undefined", With(o => o with { Pooling = (Pooling)99 }), "Pooling"],
        ["Loss undefined", With(o => o with { Loss = (SimilarityLoss)99 }), "Loss"],
        ["CoSentScale 0", With(o => o with { CoSentScale = 0 }), "CoSentScale"],
        ["CoSentScale Infinity", With(o => o with { CoSentScale = float.PositiveInfinity }), "CoSentScale"],
        ["LabelMin NaN", With(o => o with { LabelMin = float.NaN }), "LabelMin"],
        ["LabelMax Infinity", With(o => o with { LabelMin = 0, LabelMax = float.PositiveInfinity }), "LabelMax"],
        ["LabelMax = LabelMin", With(o => o with { LabelMin = 1, LabelMax = 1 }), "LabelMax"],
        ["Epochs 0", With(o => o with { Epochs = 0 }), "Epochs"],
        ["BatchSize 0", With(o => o with { BatchSize = 0 }), "BatchSize"],
        ["LearningRate Infinity", With(o => o with { LearningRate = double.PositiveInfinity }), "LearningRate"],
        ["LearningRate NaN", With(o => o with { LearningRate = double.NaN }), "LearningRate"],
        ["WeightDecay Infinity", With(o => o with { WeightDecay = float.PositiveInfinity }), "WeightDecay"],
        ["WarmupFraction NaN", With(o => o with { WarmupFraction = double.NaN }), "WarmupFraction"],
        ["Schedule undefined", With(o => o with { Schedule = (LearningRateDecay)99 }), "Schedule"],
        ["ClipNorm NaN", With(o => o with { ClipNorm = double.NaN }), "ClipNorm"],
        ["Threads 0", With(o => o with { Threads = 0 }), "Threads"],
        ["Threads int.MaxValue", With(o => o with { Threads = int.MaxValue }), "Threads"],
        ["EarlyStoppingPatience -1", With(o => o with { EarlyStoppingPatience = -1 }), "EarlyStoppingPatience"],
        ["ProgressInterval -1", With(o => o with { ProgressInterval = -1 }), "ProgressInterval"],
        ["Backend undefined", With(o => o with { Backend = (TransformerBackend)99 }), "Backend"],
        ["Device blank", With(o => o with { Device = " " }), "Device"],
        ["LabelColumnName empty", With(o => o with { LabelColumnName = "" }), "LabelColumnName"],
        ["RoPE with head dimension 1", With(o => o with { Heads = 8 }), "PositionEncoding"],
        ["learned table shorter than MaxTokens", With(o => o with { PositionEncoding = PositionEncoding.Learned(maxPositions: 8) }), "PositionEncoding"],
        ["MaxTokens int.MaxValue", With(o => o with { MaxTokens = int.MaxValue }), "MaxTokens"],
        ["MaxTokens 100,000 (attention of a batch)", With(o => o with { MaxTokens = 100_000 }), "MaxTokens"],
        ["Vocabulary int.MaxValue", With(o => o with { Vocabulary = int.MaxValue }), "Vocabulary"],
        ["FeedForwardDimension int.MaxValue", With(o => o with { FeedForwardDimension = int.MaxValue }), "FeedForwardDimension"],
        ["Layers 100,000,000 (memory)", With(o => o with { Layers = 100_000_000 }), "options"],
    ];

    [TestMethod]
    [DynamicData(nameof(RefusedOptions))]
    public void OptionsPastTheirLimits_ThrowNamingTheOption_BeforeTraining(string what, Func<SentenceSimilarityOptions, SentenceSimilarityOptions> with, string option)
    {
        var ml = new MLContext(seed: 1);
        var (data, _) = Prepare(ml, Pairs(24));

        var e = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.SentenceSimilarity(with(TinySimilarity())).Fit(data), what);

        Assert.AreEqual(option, e.ParamName, $"{what}: {e.Message}");
    }

    public static IEnumerable<object[]> LimitOptions =>
    [
        ["BatchSize 1", With(o => o with { BatchSize = 1 }), 24L],
        ["BatchSize int.MaxValue", With(o => o with { BatchSize = int.MaxValue }), 1L],
        ["MaxTokens 1", With(o => o with { MaxTokens = 1 }), 2L],
        ["ClipNorm 0 (no clipping)", With(o => o with { ClipNorm = 0 }), 2L],
        ["CoSent, scale 1e30", With(o => o with { Loss = SimilarityLoss.CoSent, CoSentScale = 1e30f }), 2L],
        ["LabelMin and LabelMax wider than the labels", With(o => o with { LabelMin = -10, LabelMax = 10 }), 2L],
        ["Vocabulary 0: from the data", With(o => o with { Vocabulary = 0 }), 2L],
        ["WarmupFraction 1", With(o => o with { WarmupFraction = 1 }), 2L],
    ];

    [TestMethod]
    [DynamicData(nameof(LimitOptions))]
    public void OptionsAtTheirLimits_Train_AndScoreFinite(string what, Func<SentenceSimilarityOptions, SentenceSimilarityOptions> with, long steps)
    {
        var ml = new MLContext(seed: 1);
        var (data, _) = Prepare(ml, Pairs(24));
        long last = 0;

        var model = ml.Regression.Trainers.SentenceSimilarity(with(TinySimilarity()) with { Progress = new Progress(p => last = p.Step) }).Fit(data);

        Assert.AreEqual(steps, last, $"{what}: optimiser steps");
        Assert.IsTrue(Floats(model.Transform(data), "Score").All(s => float.IsFinite(s[0])), what);
    }

    [TestMethod]
    public void DivergingTraining_ThrowsNamingTheParameter_InsteadOfReturningNaNWeights()
    {
        var ml = new MLContext(seed: 1);
        var (data, _) = Prepare(ml, Pairs(48));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            ml.Regression.Trainers.SentenceSimilarity(TinySimilarity(epochs: 2) with { LearningRate = 1e30, ProgressInterval = 1 }).Fit(data));

        StringAssert.StartsWith(e.Message, "SentenceSimilarity: training diverged: parameter '");
        StringAssert.Contains(e.Message, "Lower option 'LearningRate' (1E+30)");
    }

    private sealed class Progress(Action<SimilarityTrainingProgress> report) : IProgress<SimilarityTrainingProgress>
    {
        public void Report(SimilarityTrainingProgress value) => report(value);
    }
}
