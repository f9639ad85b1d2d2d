using MLComponents.Samples.SentenceSimilarity;

namespace MLComponents.UnitTests.Similarity;

/// <summary>
/// The sample's agent/patient pairs (<see cref="AgentPatientPairs"/>) as token ids for the engine tests: word i of
/// <see cref="AgentPatientPairs.Words"/> gets id i + 4 (0 pad, 1 unknown, 2 cls, 3 sep are reserved as in the vocabulary).
/// </summary>
internal static class RolePairsTask
{
    public static readonly int Vocabulary = MLComponents.Text.Vocabulary.FirstTokenId + AgentPatientPairs.Words.Count;

    public static List<(string[] First, string[] Second, float Label, bool Swap)> Make(int count, int seed) =>
        [.. AgentPatientPairs.Make(count, seed).Select(p => (p.Sentence1, p.Sentence2, p.Label, p.Swap))];

    public static int[] Ids(string[] words) => [.. words.Select(w => IndexOf(w) + MLComponents.Text.Vocabulary.FirstTokenId)];

    public static MLComponents.Engine.SentencePairs ToPairs(List<(string[] First, string[] Second, float Label, bool Swap)> pairs) =>
        new([.. pairs.Select(p => Ids(p.First))], [.. pairs.Select(p => Ids(p.Second))], [.. pairs.Select(p => p.Label)]);

    private static int IndexOf(string w)
    {
        for (int i = 0; i < AgentPatientPairs.Words.Count; i++)
        {
            if (AgentPatientPairs.Words[i] == w) return i;
        }
        throw new ArgumentException($"Unknown word '{w}'.", nameof(w));
    }
}
