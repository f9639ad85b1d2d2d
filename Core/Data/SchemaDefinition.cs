using System.Reflection;

namespace MLComponents;

/// <summary>
/// How the public fields and properties of a row class map to columns (ML.NET's SchemaDefinition).
/// Create it from a type, then adjust column types (e.g. a vector size or a key count) before
/// passing it to <see cref="DataOperationsCatalog.LoadFromEnumerable{TRow}(IEnumerable{TRow}, SchemaDefinition?)"/>.
/// </summary>
/// <remarks>
/// Member types: string and ReadOnlyMemory&lt;char&gt; map to text; float, double, int, uint, long and bool
/// to numbers/booleans; uint with <see cref="KeyTypeAttribute"/> to a key; arrays and VBuffers of those
/// to vectors: fixed size with <see cref="VectorTypeAttribute"/>, or with <see cref="LoadColumnAttribute"/>
/// (as many items as text fields), else variable.
/// </remarks>
public sealed class SchemaDefinition : List<SchemaDefinition.Column>
{
    private SchemaDefinition(Type rowType) => RowType = rowType;

    /// <summary>The row class.</summary>
    public Type RowType { get; }

    /// <summary>The definition of a column by its name.</summary>
    public Column this[string columnName] =>
        this.LastOrDefault(c => c.ColumnName == columnName)
        ?? throw new SchemaException($"Type {RowType.Name} has no member mapped to column '{columnName}'.", columnName);

    /// <summary>Reads the public, non-[NoColumn] fields and properties of <paramref name="rowType"/>.</summary>
    public static SchemaDefinition Create(Type rowType)
    {
        ArgumentNullException.ThrowIfNull(rowType);
        var def = new SchemaDefinition(rowType);
        var members = rowType.GetFields(BindingFlags.Public | BindingFlags.Instance).Cast<MemberInfo>()
            .Concat(rowType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            .OrderBy(m => m.MetadataToken);
        foreach (var m in members)
        {
            if (m.GetCustomAttribute<NoColumnAttribute>() is not null) continue;
            var memberType = m is FieldInfo f ? f.FieldType : ((PropertyInfo)m).PropertyType;
            string name = m.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? m.Name;
            var type = DefaultColumnType(m, memberType);
            def.Add(new Column(m, memberType, name, type, m.GetCustomAttribute<LoadColumnAttribute>()));
        }
        return def;
    }

    /// <summary>The column type a member maps to from its CLR type and attributes.</summary>
    internal static DataViewType DefaultColumnType(MemberInfo member, Type memberType)
    {
        var key = member.GetCustomAttribute<KeyTypeAttribute>();
        // Without [VectorType], an array read from a fixed set of text fields ([LoadColumn(start, end)]) has
        // that many items: the same type then describes the file and the prediction-engine input (ML.NET
        // makes users repeat it, a classic source of schema-mismatch errors).
        int size = member.GetCustomAttribute<VectorTypeAttribute>()?.Size
            ?? member.GetCustomAttribute<LoadColumnAttribute>()?.Sources.Count ?? 0;
        Type? itemType = memberType.IsArray && memberType.GetArrayRank() == 1 ? memberType.GetElementType()
            : memberType.IsGenericType && memberType.GetGenericTypeDefinition() == typeof(VBuffer<>) ? memberType.GetGenericArguments()[0]
            : null;
        if (itemType is not null)
        {
            var item = Primitive(itemType, key) ?? throw Unsupported(member, memberType);
            return new VectorDataViewType(item, size);
        }
        return Primitive(memberType, key) ?? throw Unsupported(member, memberType);
    }

    private static PrimitiveDataViewType? Primitive(Type t, KeyTypeAttribute? key)
    {
        if (key is not null && t != typeof(uint)) return null;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) return TextDataViewType.Instance;
        if (t == typeof(float)) return NumberDataViewType.Single;
        if (t == typeof(double)) return NumberDataViewType.Double;
        if (t == typeof(int)) return NumberDataViewType.Int32;
        if (t == typeof(long)) return NumberDataViewType.Int64;
        if (t == typeof(bool)) return BooleanDataViewType.Instance;
        if (t == typeof(uint)) return key is null ? NumberDataViewType.UInt32 : new KeyDataViewType(key.Count);
        return null;
    }

    private static SchemaException Unsupported(MemberInfo m, Type t) =>
        new($"Member '{m.Name}' of {m.DeclaringType?.Name} has type {TypeNames.Of(t)}, which maps to no column type " +
            "(use string, float, double, int, uint, long, bool, arrays of those, or [KeyType] on uint).", m.Name);

    /// <summary>One member-to-column mapping.</summary>
    public sealed class Column
    {
        private DataViewType _columnType;

        internal Column(MemberInfo member, Type memberType, string columnName, DataViewType type, LoadColumnAttribute? load)
        {
            Member = member; MemberType = memberType; ColumnName = columnName; _columnType = type; LoadColumn = load;
        }

        internal MemberInfo Member { get; }
        internal LoadColumnAttribute? LoadColumn { get; }

        internal bool CanWrite => Member switch
        {
            PropertyInfo p => p.CanWrite && p.SetMethod is { IsPublic: true },
            FieldInfo f => !f.IsInitOnly,
            _ => false,
        };

        /// <summary>The field or property name.</summary>
        public string MemberName => Member.Name;

        /// <summary>The field or property type.</summary>
        public Type MemberType { get; }

        /// <summary>The column name.</summary>
        public string ColumnName { get; set; }

        /// <summary>Annotations given to the column (e.g. KeyValues of a key).</summary>
        public DataViewSchema.Annotations Annotations { get; set; } = DataViewSchema.Annotations.Empty;

        /// <summary>
        /// The column type. It may be changed to another type read as the same CLR value (e.g. a uint to a
        /// key, a variable vector to a fixed one).
        /// </summary>
        public DataViewType ColumnType
        {
            get => _columnType;
            set
            {
                ArgumentNullException.ThrowIfNull(value);
                if (value.RawType != _columnType.RawType)
                    throw new SchemaException($"Column '{ColumnName}' (member '{MemberName}') is read as {TypeNames.Of(_columnType.RawType)}; " +
                        $"type {value} (read as {TypeNames.Of(value.RawType)}) does not fit.", ColumnName);
                _columnType = value;
            }
        }
    }
}
