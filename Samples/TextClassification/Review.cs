namespace MLComponents.Samples.TextClassification;

/// <summary>One input row: a label and a sentence.</summary>
public sealed class Review
{
    /// <summary>The class (text).</summary>
    public string Label { get; set; } = "";

    /// <summary>The sentence.</summary>
    public string Text { get; set; } = "";
}

/// <summary>One prediction.</summary>
public sealed class ReviewPrediction
{
    /// <summary>The predicted class (after MapKeyToValue).</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Class probabilities, in key order.</summary>
    public float[] Score { get; set; } = [];
}
