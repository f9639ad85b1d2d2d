namespace MLComponents;

/// <summary>The type of a column in an <see cref="IDataView"/>.</summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    private protected DataViewType(Type rawType) => RawType = rawType;

    /// <summary>The CLR type a getter for this column returns.</summary>
    public Type RawType { get; }

    /// <inheritdoc />
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();
}

/// <summary>A scalar type: text, number, boolean or key.</summary>
public abstract class PrimitiveDataViewType : DataViewType
{
    private protected PrimitiveDataViewType(Type rawType) : base(rawType) { }
}

/// <summary>Text, read as <see cref="ReadOnlyMemory{T}"/> of char (as in ML.NET).</summary>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType() : base(typeof(ReadOnlyMemory<char>)) { }

    /// <summary>The single instance.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is TextDataViewType;

    /// <inheritdoc />
    public override int GetHashCode() => 1;

    /// <inheritdoc />
    public override string ToString() => "String";
}

/// <summary>Boolean.</summary>
public sealed class BooleanDataViewType : PrimitiveDataViewType
{
    private BooleanDataViewType() : base(typeof(bool)) { }

    /// <summary>The single instance.</summary>
    public static BooleanDataViewType Instance { get; } = new();

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is BooleanDataViewType;

    /// <inheritdoc />
    public override int GetHashCode() => 2;

    /// <inheritdoc />
    public override string ToString() => "Boolean";
}

/// <summary>Numbers: float, double, int, uint, long.</summary>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private NumberDataViewType(Type t) : base(t) { }

    /// <summary>float (Single).</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float));
    /// <summary>double.</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double));
    /// <summary>int (Int32).</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int));
    /// <summary>uint (UInt32).</summary>
    public static NumberDataViewType UInt32 { get; } = new(typeof(uint));
    /// <summary>long (Int64).</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long));

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is NumberDataViewType n && n.RawType == RawType;

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => RawType.Name;
}

/// <summary>
/// A key: a uint index in [1, Count] into a value list carried as the column's KeyValues annotation;
/// 0 means missing (as in ML.NET).
/// </summary>
public sealed class KeyDataViewType : PrimitiveDataViewType
{
    /// <summary>Creates a key type of <paramref name="count"/> values (raw type uint).</summary>
    public KeyDataViewType(ulong count) : base(typeof(uint))
    {
        if (count == 0 || count > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(count), count, "A key type needs 1..uint.MaxValue values.");
        Count = count;
    }

    /// <summary>Number of key values.</summary>
    public ulong Count { get; }

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(3, Count);

    /// <inheritdoc />
    public override string ToString() => $"Key<UInt32, 0-{Count - 1}>";
}

/// <summary>A vector of a primitive item type, fixed size (Size &gt; 0) or variable (Size == 0). Read as <see cref="VBuffer{T}"/>.</summary>
public sealed class VectorDataViewType : DataViewType
{
    /// <summary>Creates a vector type; <paramref name="size"/> 0 means variable length.</summary>
    public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
        : base(typeof(VBuffer<>).MakeGenericType(itemType.RawType))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ItemType = itemType;
        Size = size;
    }

    /// <summary>Creates a multi-dimensional fixed-size vector type (row-major), e.g. [T, T, d].</summary>
    public VectorDataViewType(PrimitiveDataViewType itemType, params int[] dimensions)
        : this(itemType, dimensions.Aggregate(1, (a, b) => checked(a * b)))
    {
        Dimensions = [.. dimensions];
    }

    /// <summary>The item type.</summary>
    public PrimitiveDataViewType ItemType { get; }

    /// <summary>Number of items, or 0 when variable.</summary>
    public int Size { get; }

    /// <summary>Shape of a fixed-size vector (a single dimension unless created with several).</summary>
    public IReadOnlyList<int> Dimensions { get; } = [];

    /// <summary>True when the size is fixed.</summary>
    public bool IsKnownSize => Size > 0;

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) =>
        other is VectorDataViewType v && v.Size == Size && v.ItemType.Equals(ItemType);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ItemType, Size);

    /// <inheritdoc />
    public override string ToString() => $"Vector<{ItemType}, {(Size == 0 ? "*" : Size.ToString(System.Globalization.CultureInfo.InvariantCulture))}>";
}
