using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLComponents.UnitTests.Core;

[TestClass]
public sealed class LazinessTests
{
    /// <summary>Yields rows 0..n-1, then throws if anyone asks for row n; counts rows pulled.</summary>
    private sealed class TrapSource(int n) : IEnumerable<LabeledText>
    {
        public long Pulled;

        public IEnumerator<LabeledText> GetEnumerator()
        {
            for (int i = 0; ; i++)
            {
                if (i == n) throw new InvalidOperationException($"row {n} was touched");
                Interlocked.Increment(ref Pulled);
                yield return new LabeledText { Text = $"t{i}", Label = (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A 10-million-row source produced on demand, counting rows pulled.</summary>
    private sealed class CountingGenerator(long rows) : IEnumerable<NumberRow>
    {
        public long Pulled;
        public int Enumerations;

        public IEnumerator<NumberRow> GetEnumerator()
        {
            Interlocked.Increment(ref Enumerations);
            for (long i = 0; i < rows; i++)
            {
                Interlocked.Increment(ref Pulled);
                yield return new NumberRow { X = i, Id = (int)(i % 7) };
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static ITransformer FitLabelKeys(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.Transforms.Conversion.MapKeyToValue("LabelBack", "LabelKey"))
            .Fit(ml.Data.LoadFromEnumerable(new[] { new LabeledText { Label = "0" }, new LabeledText { Label = "1" }, new LabeledText { Label = "2" } }));

    [TestMethod]
    public void TransformDoesNotTouchTheSourceUntilACursorReachesTheRow()
    {
        var ml = new MLContext(1);
        var model = FitLabelKeys(ml);
        var source = new TrapSource(5);
        var transformed = model.Transform(ml.Data.LoadFromEnumerable(source));
        _ = transformed.Schema;
        Assert.AreEqual(0, source.Pulled, "Transform and Schema must not read data");

        using var cursor = transformed.GetRowCursor(transformed.Schema);
        var back = cursor.GetGetter<ReadOnlyMemory<char>>(transformed.Schema["LabelBack"]);
        ReadOnlyMemory<char> v = default;
        for (int i = 0; i < 5; i++)
        {
            Assert.IsTrue(cursor.MoveNext());
            Assert.AreEqual(i + 1, source.Pulled, "one source row per MoveNext, no read-ahead");
            back(ref v);
            Assert.AreEqual((i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture), v.ToString());
        }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.MoveNext());
        StringAssert.Contains(e.Message, "row 5 was touched");

        // TakeRows stops before the trap, whatever is stacked on top.
        var taken = ml.Data.TakeRows(model.Transform(ml.Data.LoadFromEnumerable(new TrapSource(5))), 5);
        Assert.AreEqual(5, ml.Data.CreateEnumerable<LabeledText>(taken, false).Count());
    }

    [TestMethod]
    public void TenMillionRowSourceIsNeverMaterialised()
    {
        var ml = new MLContext(1);
        var gen = new CountingGenerator(10_000_000);
        var data = ml.Data.LoadFromEnumerable(gen);
        var keyed = ml.Transforms.Conversion.MapValueToKey("IdKey", "Id")
            .Fit(ml.Data.LoadFromEnumerable(Enumerable.Range(0, 7).Select(i => new NumberRow { Id = i }).ToArray()));
        var split = ml.Data.TrainTestSplit(keyed.Transform(data), testFraction: 0.1, seed: 3);
        var shuffled = ml.Data.ShuffleRows(split.TestSet, seed: 5, shufflePoolSize: 100);
        var head = ml.Data.TakeRows(shuffled, 1000);
        Assert.AreEqual(0, gen.Pulled);
        Assert.IsNull(data.GetRowCount(), "a lazy enumerable has no count without a pass");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var xs = ml.Data.CreateEnumerable<NumberRow>(head, false).Select(r => r.X).ToArray();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.HasCount(1000, xs);
        // About 1100 test rows (1000 + a pool of 100) at a 10% rate: ~11 000 source rows, not 10 million.
        Assert.IsLessThan(14_000L, gen.Pulled, $"pulled {gen.Pulled}");
        Assert.IsGreaterThan(9_000L, gen.Pulled, $"pulled {gen.Pulled}");
        Assert.IsLessThan(16L << 20, allocated, $"allocated {allocated} bytes");
        Assert.AreEqual(1, gen.Enumerations);
    }

    [TestMethod]
    public void CacheReadsTheSourceOnceAndThenServesMemory()
    {
        var ml = new MLContext(1);
        var gen = new CountingGenerator(100);
        var cached = ml.Data.Cache(ml.Data.LoadFromEnumerable(gen));
        Assert.AreEqual(0, gen.Pulled);
        Assert.IsTrue(cached.CanShuffle);
        var a = ml.Data.CreateEnumerable<NumberRow>(cached, false).Select(r => r.X).ToArray();
        var b = ml.Data.CreateEnumerable<NumberRow>(cached, false).Select(r => r.X).ToArray();
        CollectionAssert.AreEqual(a, b);
        Assert.AreEqual(100, gen.Pulled);
        Assert.AreEqual(1, gen.Enumerations);
        Assert.AreEqual(100L, cached.GetRowCount());
    }

    [TestMethod]
    public void RowMappedViewComputesOnlyRequestedColumns()
    {
        var ml = new MLContext(1);
        var counter = new CountingSquare("X", "X2");
        var view = counter.Transform(ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new NumberRow { X = i, Id = i }).ToArray()));
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["X2"].Type);

        // Reading only Id: the square is never computed, X is not even active.
        using (var cursor = view.GetRowCursor([view.Schema["Id"]]))
        {
            Assert.IsFalse(cursor.IsColumnActive(view.Schema["X"]));
            while (cursor.MoveNext()) { }
        }
        Assert.AreEqual(0, counter.Calls);
        var squares = ml.Data.CreateEnumerable<SquareRow>(view, false).Select(r => r.X2).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(i => (float)(i * i)).ToArray(), squares);
        Assert.AreEqual(10, counter.Calls);
    }
}

public sealed class SquareRow
{
    public float X2 { get; set; }
}

/// <summary>A minimal row-to-row transformer: Output = Input², counting evaluations.</summary>
internal sealed class CountingSquare(string input, string output) : RowToRowTransformerBase
{
    public int Calls;

    public override string ComponentTypeId => "Test.CountingSquare";

    public override void Save(ModelSaveContext ctx) => throw new NotSupportedException();

    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly CountingSquare _parent;
        private readonly DataViewSchema.Column _in;

        public Mapper(CountingSquare parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _in = RequireColumn(parent._input, t => t.Equals(NumberDataViewType.Single), "Single");
            OutputColumns = [new OutputColumn(parent._output, NumberDataViewType.Single)];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_in];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            var g = input.GetGetter<float>(_in);
            float x = 0;
            return [(ValueGetter<float>)((ref float v) => { Interlocked.Increment(ref _parent.Calls); g(ref x); v = x * x; })];
        }
    }

    private readonly string _input = input;
    private readonly string _output = output;
}
