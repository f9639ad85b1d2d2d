using System.Collections;

namespace MLComponents;

/// <summary>The shape of a schema without data: what an estimator needs and produces (ML.NET's SchemaShape).</summary>
public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
{
    private readonly Column[] _columns;

    /// <summary>Creates a shape from columns.</summary>
    public SchemaShape(IEnumerable<Column> columns) => _columns = [.. columns];

    /// <summary>The shape of an actual schema (visible columns).</summary>
    public static SchemaShape Create(DataViewSchema schema) =>
        new(schema.Where(c => !c.IsHidden).Select(c => Column.FromType(c.Name, c.Type)));

    /// <summary>Number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>Column at an index.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>Finds a column by name.</summary>
    public bool TryFindColumn(string name, out Column column)
    {
        for (int i = _columns.Length - 1; i >= 0; i--)
            if (_columns[i].Name == name) { column = _columns[i]; return true; }
        column = default;
        return false;
    }

    /// <summary>A column or a <see cref="SchemaException"/> naming it.</summary>
    public Column GetColumn(string name) => TryFindColumn(name, out var c) ? c
        : throw new SchemaException($"Column '{name}' not found. Available columns: {string.Join(", ", _columns.Select(x => $"'{x.Name}'"))}.", name);

    /// <inheritdoc />
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Scalar, fixed-size vector or variable-size vector.</summary>
    public enum VectorKind
    {
        /// <summary>One value.</summary>
        Scalar,
        /// <summary>Fixed-size vector.</summary>
        Vector,
        /// <summary>Variable-size vector.</summary>
        VariableVector,
    }

    /// <summary>A column's shape.</summary>
    public readonly record struct Column(string Name, VectorKind Kind, DataViewType ItemType, bool IsKey)
    {
        /// <summary>The shape of a column type.</summary>
        public static Column FromType(string name, DataViewType type) => type switch
        {
            VectorDataViewType v => new Column(name, v.IsKnownSize ? VectorKind.Vector : VectorKind.VariableVector, v.ItemType, v.ItemType is KeyDataViewType),
            _ => new Column(name, VectorKind.Scalar, type, type is KeyDataViewType),
        };

        /// <inheritdoc />
        public override string ToString() => Kind switch
        {
            VectorKind.Scalar => $"{Name}: {ItemType}",
            VectorKind.Vector => $"{Name}: Vector<{ItemType}>",
            _ => $"{Name}: VarVector<{ItemType}>",
        };
    }
}
