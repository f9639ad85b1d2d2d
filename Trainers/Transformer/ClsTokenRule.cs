using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// With <see cref="Pooling.Cls"/> a model's sentence vector is the state of the first position, so that position has to hold
/// one token, the same in every row (the CLS id <c>TokenizeToIds(addClsToken: true)</c> puts there). A column tokenised without
/// it would train on whatever word happens to come first, and nothing would say so. The readers call <see cref="Check"/> on
/// each row they read.
/// </summary>
internal sealed class ClsTokenRule
{
    private int _id = -1;
    private string _column = "";
    private long _row;

    /// <summary>Throws <see cref="InvalidDataException"/> naming the column and row when a row is empty or starts with another id.</summary>
    public void Check(ReadOnlySpan<int> ids, string column, string set, long row)
    {
        const string Fix = "Pooling is Cls, so the model pools the first position, and every row must start with the same CLS token " +
            "(TokenizeToIds(..., addClsToken: true)); or use Pooling.Mean.";
        if (ids.IsEmpty)
            throw new InvalidDataException($"Column '{column}', {set} row {row}: the row has no tokens. {Fix}");
        if (_id < 0)
        {
            (_id, _column, _row) = (ids[0], column, row);
            return;
        }
        if (ids[0] != _id)
            throw new InvalidDataException($"Column '{column}', {set} row {row} starts with token id {ids[0]}, but column '{_column}', row {_row} " +
                $"starts with {_id}. {Fix}");
    }
}
