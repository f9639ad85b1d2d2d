namespace MLComponents;

/// <summary>
/// Keeps the source rows whose position passes a predicate, optionally stopping after a number of kept
/// rows. Backs TakeRows, SkipRows and TrainTestSplit. Rows are decided by source position, so the source
/// is never asked to shuffle (the same rows must come out of every cursor).
/// </summary>
internal sealed class FilteredDataView(IDataView source, Func<long, bool> keep, long? maxRows, Func<long?, long?> rowCount) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => rowCount(source.GetRowCount());

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(source.GetRowCursor(columnsNeeded), keep, maxRows);

    private sealed class Cursor(DataViewRowCursor input, Func<long, bool> keep, long? maxRows) : DataViewRowCursor
    {
        private long _position = -1;
        private bool _done;

        public override DataViewSchema Schema => input.Schema;
        public override long Position => _position;
        public override bool IsColumnActive(DataViewSchema.Column column) => input.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => input.GetGetter<TValue>(column);

        public override bool MoveNext()
        {
            // Stop before pulling another source row: TakeRows(n) must not touch row n of the source.
            if (_done || (maxRows is long m && _position + 1 >= m)) { _done = true; return false; }
            while (input.MoveNext())
            {
                if (keep(input.Position)) { _position++; return true; }
            }
            _done = true;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// The deterministic split of TrainTestSplit: a row belongs to the test set when a hash of (seed, row
/// position) falls below the test fraction. No state, so both halves stream, are disjoint and cover the source.
/// </summary>
internal static class SplitHash
{
    public static double Unit(int seed, long position)
    {
        // SplitMix64 finaliser: well mixed for consecutive positions.
        ulong z = unchecked((ulong)position * 0x9E3779B97F4A7C15UL + (ulong)(uint)seed * 0xBF58476D1CE4E5B9UL + 0x632BE59BD9B4E019UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
