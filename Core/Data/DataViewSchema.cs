using System.Collections;

namespace MLComponents;

/// <summary>The ordered, named, typed columns of an <see cref="IDataView"/>.</summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName;

    private DataViewSchema(Column[] columns)
    {
        _columns = columns;
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        // Later columns of the same name hide earlier ones, as in ML.NET.
        for (int i = 0; i < columns.Length; i++) _byName[columns[i].Name] = i;
    }

    /// <summary>Number of columns (hidden ones included).</summary>
    public int Count => _columns.Length;

    /// <summary>The column at an index.</summary>
    public Column this[int columnIndex] => _columns[columnIndex];

    /// <summary>The visible column of a name; throws <see cref="SchemaException"/> naming it when absent.</summary>
    public Column this[string name] => GetColumnOrNull(name) ?? throw SchemaException.MissingColumn(name, this);

    /// <summary>The visible column of a name, or null.</summary>
    public Column? GetColumnOrNull(string name) => _byName.TryGetValue(name, out int i) ? _columns[i] : null;

    /// <inheritdoc />
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _columns.Select(c => $"{c.Name}:{c.Type}"));

    /// <summary>A column: name, index, type and annotations.</summary>
    public sealed class Column
    {
        internal Column(string name, int index, bool isHidden, DataViewType type, Annotations annotations)
        {
            Name = name; Index = index; IsHidden = isHidden; Type = type; Annotations = annotations;
        }

        /// <summary>Name.</summary>
        public string Name { get; }
        /// <summary>Position in the schema.</summary>
        public int Index { get; }
        /// <summary>True when a later column of the same name hides this one.</summary>
        public bool IsHidden { get; }
        /// <summary>Type.</summary>
        public DataViewType Type { get; }
        /// <summary>Annotations (e.g. KeyValues of a key column).</summary>
        public Annotations Annotations { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name} ({Type})";
    }

    /// <summary>Named, typed values attached to a column (ML.NET's annotations, e.g. "KeyValues").</summary>
    public sealed class Annotations
    {
        /// <summary>Name of the key-values annotation.</summary>
        public const string KeyValuesKind = "KeyValues";

        private readonly Dictionary<string, (DataViewType Type, object Value)> _items;

        internal Annotations(Dictionary<string, (DataViewType, object)> items) => _items = items;

        /// <summary>No annotations.</summary>
        public static Annotations Empty { get; } = new(new());

        /// <summary>Names of the annotations present.</summary>
        public IEnumerable<string> Names => _items.Keys;

        /// <summary>Type of an annotation, or null.</summary>
        public DataViewType? GetTypeOrNull(string kind) => _items.TryGetValue(kind, out var v) ? v.Type : null;

        /// <summary>Reads an annotation value.</summary>
        public void GetValue<TValue>(string kind, ref TValue value)
        {
            if (!_items.TryGetValue(kind, out var item)) throw new InvalidOperationException($"Annotation '{kind}' is not present.");
            if (item.Value is not TValue v)
                throw new InvalidOperationException($"Annotation '{kind}' has type {item.Value.GetType().Name}, not {typeof(TValue).Name}.");
            value = v;
        }

        internal object? GetRawOrNull(string kind) => _items.TryGetValue(kind, out var v) ? v.Value : null;

        /// <summary>Builds annotations.</summary>
        public sealed class Builder
        {
            private readonly Dictionary<string, (DataViewType, object)> _items = new(StringComparer.Ordinal);

            /// <summary>Adds an annotation.</summary>
            public Builder Add<TValue>(string kind, DataViewType type, TValue value) where TValue : notnull
            {
                _items[kind] = (type, value);
                return this;
            }

            /// <summary>Adds the KeyValues annotation (text values) for a key column.</summary>
            public Builder AddKeyValues(IReadOnlyList<string> values)
            {
                var mem = values.Select(v => v.AsMemory()).ToArray();
                return Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, mem.Length), new VBuffer<ReadOnlyMemory<char>>(mem));
            }

            /// <summary>Adds every annotation of another set.</summary>
            public Builder Add(Annotations other)
            {
                foreach (var kv in other._items) _items[kv.Key] = kv.Value;
                return this;
            }

            /// <summary>Finishes.</summary>
            public Annotations ToAnnotations() => new(new(_items));
        }
    }

    /// <summary>Builds a schema.</summary>
    public sealed class Builder
    {
        private readonly List<(string Name, DataViewType Type, Annotations Ann)> _cols = [];

        /// <summary>Adds a column.</summary>
        public Builder AddColumn(string name, DataViewType type, Annotations? annotations = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            _cols.Add((name, type, annotations ?? Annotations.Empty));
            return this;
        }

        /// <summary>Adds every column of another schema (hidden ones included).</summary>
        public Builder AddColumns(IEnumerable<Column> columns)
        {
            foreach (var c in columns) AddColumn(c.Name, c.Type, c.Annotations);
            return this;
        }

        /// <summary>Finishes.</summary>
        public DataViewSchema ToSchema()
        {
            var last = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < _cols.Count; i++) last[_cols[i].Name] = i;
            var cols = new Column[_cols.Count];
            for (int i = 0; i < cols.Length; i++)
                cols[i] = new Column(_cols[i].Name, i, last[_cols[i].Name] != i, _cols[i].Type, _cols[i].Ann);
            return new DataViewSchema(cols);
        }
    }
}
