namespace MLComponents.UnitTests.Engine;

/// <summary>
/// An order-only task: each sequence holds filler tokens plus the two markers A and B once each; the label is 1
/// when A comes before B. Both classes have the same token multisets in distribution, so any bag-of-words
/// model (and any Transformer without position information, whose mean-pooled output is permutation invariant)
/// is at chance.
/// </summary>
internal static class OrderTask
{
    public const int MarkerA = 1, MarkerB = 2, Vocabulary = 16;

    public static (int[][] Sequences, int[] Labels) Make(int count, int seed, int minLength = 6, int maxLength = 12)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minLength, 2); // both markers must fit
        var rng = new Random(seed);
        var seqs = new int[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int n = rng.Next(minLength, maxLength + 1);
            var s = new int[n];
            for (int t = 0; t < n; t++)
            {
                s[t] = rng.Next(3, Vocabulary);
            }
            int a = rng.Next(n), b;
            do
            {
                b = rng.Next(n);
            }
            while (b == a);
            s[a] = MarkerA;
            s[b] = MarkerB;
            seqs[i] = s;
            labels[i] = a < b ? 1 : 0;
        }
        return (seqs, labels);
    }
}
