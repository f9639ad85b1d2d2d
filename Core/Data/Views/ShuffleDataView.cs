namespace MLComponents;

/// <summary>
/// Streams its source through a pool of <c>poolSize</c> rows, emitting a random pool row and refilling
/// its slot with the next source row (memory: one pool, never the whole source). When the source can
/// shuffle itself it is also asked to.
/// </summary>
internal sealed class ShuffleDataView(IDataView source, int seed, int poolSize, bool shuffleSource) : IDataView
{
    public bool CanShuffle => true;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        rand ??= new Random(seed);
        var input = source.GetRowCursor(needed, shuffleSource && source.CanShuffle ? new Random(rand.Next()) : null);
        return new Cursor(input, needed, rand, Math.Max(1, poolSize));
    }

    private sealed class Cursor : RowCursorBase
    {
        private readonly DataViewRowCursor _input;
        private readonly Random _rand;
        private readonly ColumnSlots?[] _slots;
        private readonly ColumnSlots[] _active;
        private int _count;
        private int _current = -1;
        private bool _filled;
        private bool _inputDone;
        private readonly int _poolSize;

        public Cursor(DataViewRowCursor input, DataViewSchema.Column[] needed, Random rand, int poolSize) : base(input.Schema, needed)
        {
            _input = input; _rand = rand; _poolSize = poolSize;
            _slots = new ColumnSlots?[input.Schema.Count];
            foreach (var c in needed) _slots[c.Index] ??= ColumnSlots.Create(input, input.Schema[c.Index], Math.Min(poolSize, 1024));
            _active = [.. _slots.Where(s => s is not null)!];
        }

        protected override bool MoveNextCore()
        {
            if (!_filled)
            {
                _filled = true;
                while (_count < _poolSize && Pull(_count)) _count++;
            }
            else if (_current >= 0)
            {
                // The consumer is done with the emitted slot: refill it, or close the gap when the source is dry.
                if (!Pull(_current))
                {
                    _count--;
                    foreach (var s in _active) s.Swap(_current, _count);
                }
            }
            if (_count == 0) return false;
            _current = _rand.Next(_count);
            return true;
        }

        private bool Pull(int slot)
        {
            if (_inputDone || !_input.MoveNext()) { _inputDone = true; return false; }
            foreach (var s in _active) s.Store(slot);
            return true;
        }

        protected override Delegate MakeGetter(int columnIndex) => _slots[columnIndex]!.MakeGetter(() => { EnsureOnRow(); return _current; });

        protected override void Dispose(bool disposing)
        {
            if (disposing) _input.Dispose();
            base.Dispose(disposing);
        }
    }
}
