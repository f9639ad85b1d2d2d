using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>
/// After each optimiser update, pulls every row of a table (the token embeddings) toward the mean row:
/// row -= lr x <see cref="Factor"/> x (row - mean of the rows), with lr the step's learning rate. Words the loss has no use
/// for keeping apart drift together, while the gradient keeps apart those it needs. Unlike weight decay, which shrinks every
/// row toward zero and so leaves their differences as they are after the next LayerNorm, this shrinks only the differences.
/// Both backends apply it the same way (<see cref="AdamW"/>, and the TorchSharp optimiser).
/// </summary>
/// <param name="Table">The table, [rows, width].</param>
/// <param name="Factor">Strength per unit of learning rate (&gt; 0); lr x Factor must stay below 1.</param>
/// <param name="StartStep">Updates taken before the first pull: the pull acts from update StartStep + 1 on (0: from the first).</param>
public sealed record RowMeanPull(Parameter Table, double Factor, long StartStep = 0)
{
    /// <summary>Whether update number <paramref name="step"/> (1-based) pulls.</summary>
    public bool ActsAt(long step) => step > StartStep;

    /// <summary>The width of a row: the table's last dimension.</summary>
    public int Width => Table.Shape[^1];

    /// <summary>Applies one pull of rate <paramref name="rate"/> (= lr x Factor) to <paramref name="table"/> of rows of <paramref name="width"/>.</summary>
    public static void Apply(float[] table, int width, double rate)
    {
        int rows = table.Length / width;
        if (rows == 0 || rate == 0) return;
        var mean = new double[width];
        for (int r = 0; r < rows; r++)
        {
            var row = table.AsSpan(r * width, width);
            for (int c = 0; c < width; c++) mean[c] += row[c];
        }
        for (int c = 0; c < width; c++) mean[c] /= rows;
        for (int r = 0; r < rows; r++)
        {
            var row = table.AsSpan(r * width, width);
            for (int c = 0; c < width; c++) row[c] -= (float)(rate * (row[c] - mean[c]));
        }
    }
}
