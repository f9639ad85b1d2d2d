namespace MLComponents.UnitTests.Trainer;

using PositionEncoding = MLComponents.PositionEncoding;

/// <summary>
/// The learned relative biases (FIRE, T5) on a local-order task: the label is the polarity of the one adjective,
/// flipped when "not" stands right before it; otherwise "not" stands anywhere else (also right after it). Both labels
/// see the same bags of words, so only the distance-1-on-the-left relation decides. A bias that starts near 0 (FIRE at
/// PyTorch's default first-layer init a = 1, T5's exact-distance buckets at std 0.02) learns this slowly: the suite's
/// negation task, 8-32 tokens, stays at 0.49 after 12 epochs with either. The defaults
/// (<see cref="FireEncoding.DefaultInitScale"/>, <see cref="T5BiasEncoding.DefaultInitStd"/>) start the biases logits
/// apart and learn it within the budget.
/// </summary>
[TestClass]
public sealed class LocalOrderInitTests
{
    private const int Not = 1, Good = 2, Bad = 3, FirstFiller = 4, Fillers = 12;

    [TestMethod]
    public void Fire_AtDefaultInit_LearnsNotRightBeforeTheAdjective()
    {
        double accuracy = TestAccuracy(PositionEncoding.Fire(hidden: 16));
        Assert.IsTrue(accuracy >= 0.97, $"FIRE (initScale {FireEncoding.DefaultInitScale}) test accuracy {accuracy:0.000}");
    }

    [TestMethod]
    public void Fire_AtTorchDefaultInit_LearnsItFarSlower()
    {
        // Same data, budget and seed (0.58 here against 1.00): the floor above is the init's doing.
        double accuracy = TestAccuracy(PositionEncoding.Fire(hidden: 16, initScale: 1));
        Assert.IsTrue(accuracy < 0.8, $"FIRE (initScale 1) test accuracy {accuracy:0.000} should stay far below the default's");
    }

    [TestMethod]
    public void T5_AtDefaultInit_LearnsNotRightBeforeTheAdjective()
    {
        double accuracy = TestAccuracy(PositionEncoding.T5Bias());
        Assert.IsTrue(accuracy >= 0.97, $"T5 (initStd {T5BiasEncoding.DefaultInitStd}) test accuracy {accuracy:0.000}");
    }

    [TestMethod]
    public void T5_AtSmallInit_LearnsItFarSlower()
    {
        // Same data, budget and seed (0.52 here against 1.00): the floor above is the init's doing.
        double accuracy = TestAccuracy(PositionEncoding.T5Bias(initStd: 0.02));
        Assert.IsTrue(accuracy < 0.8, $"T5 (initStd 0.02) test accuracy {accuracy:0.000} should stay far below the default's");
    }

    private static double TestAccuracy(PositionEncoding encoding)
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(Rows(8, 5)));
        var train = TrainerTestKit.Keyed(ml, Rows(2000, 31), keys);
        var test = TrainerTestKit.Keyed(ml, Rows(500, 32), keys);
        var options = TrainerTestKit.Small(encoding, epochs: 14);
        options.ValidationFraction = 0;
        options.MaxTokens = 24;
        var model = ml.MulticlassClassification.Trainers.Transformer(options).Fit(train);
        return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
    }

    private static List<TokenRow> Rows(int count, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<TokenRow>(count);
        for (int n = 0; n < count; n++)
        {
            int length = rng.Next(10, 25);
            bool positive = rng.Next(2) == 0, adjacent = rng.Next(2) == 0;
            var ids = new int[length];
            for (int i = 0; i < length; i++) ids[i] = FirstFiller + rng.Next(Fillers);
            int adjective, not;
            do
            {
                adjective = rng.Next(length);
                not = adjacent ? adjective - 1 : rng.Next(length);
            }
            while (not < 0 || not == adjective || (!adjacent && not == adjective - 1));
            ids[adjective] = positive ? Good : Bad;
            ids[not] = Not;
            rows.Add(new TokenRow { Label = positive ^ adjacent ? "pos" : "neg", Tokens = ids });
        }
        return rows;
    }
}
