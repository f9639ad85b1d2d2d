using MLComponents.MLNet;
using MLComponents.Text;
using MLComponents.Trainers;

namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

[TestClass]
public sealed class TokenizerVocabularyTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void TokenIdsDeclareTheWholeVocabulary_SoAClassifierScoresWordsItsTrainingDataNeverHeld()
    {
        var ml = new MLContext(1);
        // The tokenizer learns from a corpus larger than the classifier's training rows: "zebra" and "yak" get
        // ids no training row holds. Sized from its training data alone, the classifier would reject them.
        var corpus = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Label = "a", Text = "cat dog" }, new Row { Label = "b", Text = "dog cat" },
            new Row { Label = "a", Text = "zebra yak" },
        });
        var tokenizer = ml.Transforms.Text.TokenizeToIds("Tokens", "Text").Fit(corpus);
        var tokens = tokenizer.Transform(corpus).Schema["Tokens"];
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        tokens.Annotations.GetValue(AnnotationKinds.KeyValues, ref keyValues);
        Assert.AreEqual(tokenizer.VocabularySize, keyValues.Length);
        Assert.AreEqual("<unk>", keyValues.GetValues()[Vocabulary.UnknownId].ToString());
        Assert.AreEqual("<sep>", keyValues.GetValues()[Vocabulary.SepId].ToString());
        // cat, dog 2 each (ordinal: cat first), then yak, zebra 1 each.
        CollectionAssert.AreEqual(new[] { "cat", "dog", "yak", "zebra" },
            keyValues.DenseValues().Skip(Vocabulary.FirstTokenId).Select(v => v.ToString()).ToArray());

        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? new Row { Label = "a", Text = "cat dog" } : new Row { Label = "b", Text = "dog cat" }).ToList());
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var options = TrainerTestKit.Small(PositionEncoding.Rotary(), epochs: 1);
        var model = ml.MulticlassClassification.Trainers.Transformer(options).Fit(tokenizer.Transform(keys.Transform(train)));
        Assert.AreEqual(tokenizer.VocabularySize, model.Model.VocabularySize);

        var unseen = ml.Data.LoadFromEnumerable(new[] { new Row { Label = "a", Text = "zebra yak cat" } });
        var scores = TrainerTestKit.Scores(model.Transform(tokenizer.Transform(keys.Transform(unseen))));
        Assert.AreEqual(1, scores.Count);
        Assert.AreEqual(1.0, scores[0].Sum(), 1e-5);
    }
}
