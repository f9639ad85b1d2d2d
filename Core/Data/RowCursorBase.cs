using System.Reflection;

namespace MLComponents;

/// <summary>
/// Shared plumbing of our cursors: active-column bookkeeping, getter type checks (a wrong TValue is a
/// <see cref="SchemaException"/> naming the column and both types) and one cached getter per column.
/// </summary>
internal abstract class RowCursorBase : DataViewRowCursor
{
    private readonly bool[] _active;
    private readonly Delegate?[] _getters;
    private long _position = -1;
    private bool _done;

    protected RowCursorBase(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        Schema = schema;
        _active = new bool[schema.Count];
        _getters = new Delegate?[schema.Count];
        foreach (var c in columnsNeeded) _active[Resolve(c).Index] = true;
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _position;

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        (uint)column.Index < (uint)_active.Length && _active[column.Index];

    protected bool IsActive(int columnIndex) => _active[columnIndex];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var own = Resolve(column);
        if (!_active[own.Index])
            throw new InvalidOperationException($"Column '{own.Name}' is not active in this cursor; pass it in columnsNeeded.");
        if (typeof(TValue) != own.Type.RawType) throw SchemaException.WrongGetterType(own, typeof(TValue));
        var g = _getters[own.Index] ??= MakeGetter(own.Index);
        return (ValueGetter<TValue>)g;
    }

    /// <summary>Builds the getter of an active column: a <c>ValueGetter&lt;RawType&gt;</c>.</summary>
    protected abstract Delegate MakeGetter(int columnIndex);

    /// <summary>Advances the underlying source; false at its end.</summary>
    protected abstract bool MoveNextCore();

    public sealed override bool MoveNext()
    {
        if (_done) return false;
        if (MoveNextCore()) { _position++; return true; }
        _done = true;
        return false;
    }

    /// <summary>Getters read the current row; reading before MoveNext or after the end is a bug of the caller.</summary>
    protected void EnsureOnRow()
    {
        if (_position < 0 || _done) throw new InvalidOperationException("The cursor is not on a row (call MoveNext first and stop when it returns false).");
    }

    // Columns may come from another schema object with the same layout (e.g. the view's Schema vs the
    // cursor's); match by index and name rather than by reference.
    private DataViewSchema.Column Resolve(DataViewSchema.Column c)
    {
        if ((uint)c.Index >= (uint)Schema.Count || Schema[c.Index].Name != c.Name)
            throw new SchemaException($"Column '{c.Name}' (index {c.Index}) does not belong to this view's schema.", c.Name);
        return Schema[c.Index];
    }
}

/// <summary>Calls a generic method closed over a runtime type (the column's raw type) without wrapping its exceptions.</summary>
internal static class GenericDispatch
{
    public static object? Invoke(Type owner, string method, Type[] typeArgs, object? target, params object?[] args)
    {
        var mi = owner.GetMethod(method, BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new MissingMethodException(owner.Name, method);
        return mi.MakeGenericMethod(typeArgs).Invoke(target, BindingFlags.DoNotWrapExceptions, null, args, null);
    }
}

/// <summary>A copy of a value into a caller's buffer (vectors are copied, never shared).</summary>
internal delegate void ValueCopy<T>(in T source, ref T destination);

/// <summary>
/// Copies column values so that a consumer that writes into the buffer a getter filled cannot corrupt
/// the view's own storage (getters reuse the destination's array, as in ML.NET).
/// </summary>
internal static class ValueCopier<T>
{
    public static readonly ValueCopy<T> Copy = Create();

    private static ValueCopy<T> Create()
    {
        if (typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(VBuffer<>))
            return (ValueCopy<T>)GenericDispatch.Invoke(typeof(ValueCopier<T>), nameof(MakeVectorCopy), [typeof(T).GetGenericArguments()[0]], null)!;
        return static (in T s, ref T d) => d = s;
    }

    private static ValueCopy<VBuffer<TItem>> MakeVectorCopy<TItem>() => VectorCopy;

    private static void VectorCopy<TItem>(in VBuffer<TItem> source, ref VBuffer<TItem> destination)
    {
        var values = source.GetValues();
        var buf = destination.GetBuffer();
        if (buf is null || buf.Length < values.Length) buf = new TItem[values.Length];
        values.CopyTo(buf);
        destination = new VBuffer<TItem>(values.Length, buf);
    }
}

/// <summary>Helpers for filling VBuffers from spans while reusing the destination's array.</summary>
internal static class VBufferUtils
{
    public static void CopyFrom<T>(ReadOnlySpan<T> values, ref VBuffer<T> destination)
    {
        var buf = destination.GetBuffer();
        if (buf is null || buf.Length < values.Length) buf = new T[values.Length];
        values.CopyTo(buf);
        destination = new VBuffer<T>(values.Length, buf);
    }

    /// <summary>An array of at least <paramref name="length"/> items, reusing the destination's.</summary>
    public static T[] Rent<T>(in VBuffer<T> destination, int length)
    {
        var buf = destination.GetBuffer();
        return buf is null || buf.Length < length ? new T[length] : buf;
    }
}
