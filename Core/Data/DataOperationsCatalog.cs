namespace MLComponents;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// A lazy view over row objects: public fields and properties become columns (see
    /// <see cref="SchemaDefinition"/> for the mapping and attributes). Each cursor enumerates
    /// <paramref name="data"/> again; nothing is copied or materialised.
    /// </summary>
    /// <param name="data">The rows; enumerated once per cursor.</param>
    /// <param name="schemaDefinition">Overrides of the mapping (e.g. key counts, vector sizes), or null.</param>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, SchemaDefinition? schemaDefinition = null) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        schemaDefinition ??= SchemaDefinition.Create(typeof(TRow));
        if (!schemaDefinition.RowType.IsAssignableFrom(typeof(TRow)))
            throw new ArgumentException($"The schema definition is for {schemaDefinition.RowType.Name}, not {typeof(TRow).Name}.", nameof(schemaDefinition));
        return new EnumerableDataView<TRow>(data, schemaDefinition);
    }

    /// <summary>
    /// Loads a delimited text file with the columns of <typeparamref name="TInput"/>: members with
    /// [LoadColumn(index)] read that field (zero-based); with a header, members without it are looked up
    /// by column name in the header. Streams the file on every cursor.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names it).</exception>
    public IDataView LoadFromTextFile<TInput>(string path, char separatorChar = '\t', bool hasHeader = false,
        bool allowQuoting = true, bool trimWhitespace = false) =>
        CreateTextLoader(TextLoader.ColumnsOf(typeof(TInput), hasHeader), separatorChar, hasHeader, allowQuoting, trimWhitespace).Load(path);

    /// <summary>Loads a delimited text file with explicit columns (see <see cref="TextLoader.Column"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names it).</exception>
    public IDataView LoadFromTextFile(string path, TextLoader.Column[] columns, char separatorChar = '\t', bool hasHeader = false,
        bool allowQuoting = true, bool trimWhitespace = false) =>
        CreateTextLoader(columns, separatorChar, hasHeader, allowQuoting, trimWhitespace).Load(path);

    /// <summary>A reusable text loader for the given columns.</summary>
    public TextLoader CreateTextLoader(TextLoader.Column[] columns, char separatorChar = '\t', bool hasHeader = false,
        bool allowQuoting = true, bool trimWhitespace = false)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return new TextLoader(new TextLoader.Options
        {
            Columns = columns, Separator = separatorChar, HasHeader = hasHeader, AllowQuoting = allowQuoting, TrimWhitespace = trimWhitespace,
        });
    }

    /// <summary>
    /// Reads a view back into row objects, lazily (a cursor per enumeration). Members map to columns by
    /// name / [ColumnName]; text becomes string, vectors arrays, keys uint.
    /// </summary>
    /// <param name="data">The view.</param>
    /// <param name="reuseRowObject">True to fill the same object for every row (faster; do not keep references).</param>
    /// <param name="ignoreMissingColumns">True to leave members without a matching column untouched, instead of throwing.</param>
    /// <param name="schemaDefinition">Overrides of the member-to-column mapping, or null.</param>
    /// <exception cref="SchemaException">A member has no column (unless ignored) or a column of the wrong type.</exception>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false,
        SchemaDefinition? schemaDefinition = null) where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var pairs = MatchColumns(data.Schema, schemaDefinition ?? SchemaDefinition.Create(typeof(TRow)), ignoreMissingColumns);
        // Check the types now, so a mismatch fails at the call rather than at the first MoveNext.
        foreach (var (col, member) in pairs)
            if (col.Type.RawType != member.ColumnType.RawType)
                throw SchemaException.WrongType(col.Name, $"{TypeNames.Of(member.ColumnType.RawType)} (member '{member.MemberName}' of {TypeNames.Of(member.MemberType)})", col.Type);
        return Enumerate<TRow>(data, pairs, reuseRowObject);
    }

    internal static List<(DataViewSchema.Column Column, SchemaDefinition.Column Member)> MatchColumns(
        DataViewSchema schema, SchemaDefinition definition, bool ignoreMissingColumns)
    {
        var pairs = new List<(DataViewSchema.Column, SchemaDefinition.Column)>();
        foreach (var m in definition)
        {
            // Computed (get-only) members are outputs of the row class, not slots to fill.
            if (!m.CanWrite) continue;
            var col = schema.GetColumnOrNull(m.ColumnName);
            if (col is null)
            {
                if (ignoreMissingColumns) continue;
                throw SchemaException.MissingColumn(m.ColumnName, schema);
            }
            pairs.Add((col, m));
        }
        return pairs;
    }

    private static IEnumerable<TRow> Enumerate<TRow>(IDataView data, List<(DataViewSchema.Column Column, SchemaDefinition.Column Member)> pairs, bool reuse)
        where TRow : class, new()
    {
        using var cursor = data.GetRowCursor(pairs.Select(p => p.Column));
        var setters = pairs.Select(p => RowObjectWriter.MakeSetter<TRow>(cursor, p.Column, p.Member, reuse)).ToArray();
        TRow? row = null;
        while (cursor.MoveNext())
        {
            if (!reuse || row is null) row = new TRow();
            foreach (var set in setters) set(row);
            yield return row;
        }
    }

    /// <summary>
    /// Splits rows into a train and a test view, lazily: a row is in the test set when a hash of
    /// (seed, row position) falls below <paramref name="testFraction"/>. Deterministic for a seed (given a
    /// source that yields rows in the same order), disjoint and covering.
    /// </summary>
    /// <param name="data">The rows.</param>
    /// <param name="testFraction">Expected share of test rows, in [0, 1].</param>
    /// <param name="seed">Seed; null draws one from the context.</param>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction >= 0 && testFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in [0, 1].");
        int s = Context.NextSeed(seed);
        var train = new FilteredDataView(data, p => SplitHash.Unit(s, p) >= testFraction, null, _ => null);
        var test = new FilteredDataView(data, p => SplitHash.Unit(s, p) < testFraction, null, _ => null);
        return new TrainTestData(train, test);
    }

    /// <summary>
    /// Shuffles rows through a pool of <paramref name="shufflePoolSize"/> rows (memory bounded by the pool).
    /// When <paramref name="shuffleSource"/> and the source can shuffle, its order is randomised too.
    /// </summary>
    public IDataView ShuffleRows(IDataView input, int? seed = null, int shufflePoolSize = 1000, bool shuffleSource = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(shufflePoolSize, 1);
        return new ShuffleDataView(input, Context.NextSeed(seed), shufflePoolSize, shuffleSource);
    }

    /// <summary>The first <paramref name="count"/> rows (the source is not read past them).</summary>
    public IDataView TakeRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new FilteredDataView(input, _ => true, count, n => n is long m ? Math.Min(m, count) : null);
    }

    /// <summary>All rows after the first <paramref name="count"/>.</summary>
    public IDataView SkipRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new FilteredDataView(input, p => p >= count, null, n => n is long m ? Math.Max(0, m - count) : null);
    }

    /// <summary>
    /// Caches the rows in memory: the source is read once, on the first cursor; later cursors (epochs)
    /// read memory. The cached view can shuffle.
    /// </summary>
    public IDataView Cache(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new CacheDataView(input);
    }

    /// <summary>The two halves of <see cref="TrainTestSplit"/>.</summary>
    public sealed class TrainTestData
    {
        internal TrainTestData(IDataView trainSet, IDataView testSet) { TrainSet = trainSet; TestSet = testSet; }

        /// <summary>Training rows.</summary>
        public IDataView TrainSet { get; }

        /// <summary>Test rows.</summary>
        public IDataView TestSet { get; }
    }
}
