namespace MLComponents.TorchSharp;

/// <summary>The managed trainers' input rules, with the same messages, for the TorchSharp trainers.</summary>
internal static class TrainingInputs
{
    public static int MaxId(IReadOnlyList<int[]> sequences)
    {
        int max = 0;
        foreach (var s in sequences)
        {
            if (s is not null && s.Length > 0)
            {
                max = Math.Max(max, s.Max());
            }
        }
        return max;
    }

    public static void CheckLabelled(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, int classes, int vocabulary, int maxTokens, string set)
    {
        for (int i = 0; i < sequences.Count; i++)
        {
            CheckSequence(sequences[i], vocabulary, maxTokens, $"The {set} sequence at row {i}", nameof(sequences));
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException($"The {set} label at row {i} is {labels[i]}, outside [0, {classes}).", nameof(labels));
            }
        }
    }

    public static void CheckSequence(int[]? s, int vocabulary, int maxTokens, string what, string parameter)
    {
        if (s is null)
        {
            throw new ArgumentException($"{what} is null.", parameter);
        }
        if (s.Length == 0 || s.Length > maxTokens)
        {
            throw new ArgumentException($"{what} has {s.Length} tokens; expected 1..{maxTokens} (truncate to MaxTokens first).", parameter);
        }
        foreach (int id in s)
        {
            if ((uint)id >= (uint)vocabulary)
            {
                throw new ArgumentException($"{what} has token id {id}, outside the vocabulary [0, {vocabulary}).", parameter);
            }
        }
    }
}
