using System.Linq.Expressions;
using System.Reflection;

namespace MLComponents;

/// <summary>Compiled get/set delegates for a field or property of a row class.</summary>
internal static class MemberAccess
{
    public static Func<TRow, TMember> Getter<TRow, TMember>(MemberInfo m)
    {
        var p = Expression.Parameter(typeof(TRow), "row");
        return Expression.Lambda<Func<TRow, TMember>>(Expression.MakeMemberAccess(p, m), p).Compile();
    }

    public static Action<TRow, TMember> Setter<TRow, TMember>(MemberInfo m)
    {
        if (m is PropertyInfo { CanWrite: false } || m is FieldInfo { IsInitOnly: true })
            throw new SchemaException($"Member '{m.Name}' of {m.DeclaringType?.Name} is read-only and cannot receive a column value.", m.Name);
        var p = Expression.Parameter(typeof(TRow), "row");
        var v = Expression.Parameter(typeof(TMember), "value");
        return Expression.Lambda<Action<TRow, TMember>>(Expression.Assign(Expression.MakeMemberAccess(p, m), v), p, v).Compile();
    }
}

/// <summary>Getters that read columns out of row objects (the reading half of LoadFromEnumerable / prediction input).</summary>
internal static class RowObjectReader
{
    /// <summary>A <c>ValueGetter&lt;RawType&gt;</c> over member <paramref name="col"/> of the object <paramref name="current"/> returns.</summary>
    public static Delegate MakeGetter<TRow>(SchemaDefinition.Column col, Func<TRow> current, Func<long> position)
    {
        var mt = col.MemberType;
        if (mt == typeof(string)) return StringGetter(col, current);
        if (mt == typeof(string[])) return StringArrayGetter(col, current, position);
        if (mt.IsArray)
            return (Delegate)GenericDispatch.Invoke(typeof(RowObjectReader), nameof(ArrayGetter), [typeof(TRow), mt.GetElementType()!], null, col, current, position)!;
        if (mt.IsGenericType && mt.GetGenericTypeDefinition() == typeof(VBuffer<>))
            return (Delegate)GenericDispatch.Invoke(typeof(RowObjectReader), nameof(VBufferGetter), [typeof(TRow), mt.GetGenericArguments()[0]], null, col, current, position)!;
        return (Delegate)GenericDispatch.Invoke(typeof(RowObjectReader), nameof(ScalarGetter), [typeof(TRow), mt], null, col, current, position)!;
    }

    private static ValueGetter<ReadOnlyMemory<char>> StringGetter<TRow>(SchemaDefinition.Column col, Func<TRow> current)
    {
        var get = MemberAccess.Getter<TRow, string?>(col.Member);
        // A null string becomes default(ReadOnlyMemory<char>) (no backing text), which reads as empty everywhere but
        // lets consumers that must tell missing from empty (the tokenizer) do so; "" keeps its backing string.
        return (ref ReadOnlyMemory<char> v) => v = get(current()).AsMemory();
    }

    private static ValueGetter<VBuffer<ReadOnlyMemory<char>>> StringArrayGetter<TRow>(SchemaDefinition.Column col, Func<TRow> current, Func<long> position)
    {
        var get = MemberAccess.Getter<TRow, string?[]?>(col.Member);
        int size = ((VectorDataViewType)col.ColumnType).Size;
        return (ref VBuffer<ReadOnlyMemory<char>> v) =>
        {
            var a = get(current()) ?? [];
            CheckSize(col, size, a.Length, position());
            var buf = VBufferUtils.Rent(v, a.Length);
            for (int i = 0; i < a.Length; i++) buf[i] = (a[i] ?? "").AsMemory();
            v = new VBuffer<ReadOnlyMemory<char>>(a.Length, buf);
        };
    }

    private static ValueGetter<VBuffer<TItem>> ArrayGetter<TRow, TItem>(SchemaDefinition.Column col, Func<TRow> current, Func<long> position)
    {
        var get = MemberAccess.Getter<TRow, TItem[]?>(col.Member);
        var vt = (VectorDataViewType)col.ColumnType;
        return (ref VBuffer<TItem> v) =>
        {
            var a = get(current()) ?? [];
            CheckSize(col, vt.Size, a.Length, position());
            CheckKeys(col, vt.ItemType, a, position());
            VBufferUtils.CopyFrom<TItem>(a, ref v);
        };
    }

    private static ValueGetter<VBuffer<TItem>> VBufferGetter<TRow, TItem>(SchemaDefinition.Column col, Func<TRow> current, Func<long> position)
    {
        var get = MemberAccess.Getter<TRow, VBuffer<TItem>>(col.Member);
        var vt = (VectorDataViewType)col.ColumnType;
        return (ref VBuffer<TItem> v) =>
        {
            var src = get(current());
            CheckSize(col, vt.Size, src.Length, position());
            CheckKeys(col, vt.ItemType, src.GetValues(), position());
            VBufferUtils.CopyFrom(src.GetValues(), ref v);
        };
    }

    private static ValueGetter<T> ScalarGetter<TRow, T>(SchemaDefinition.Column col, Func<TRow> current, Func<long> position)
    {
        var get = MemberAccess.Getter<TRow, T>(col.Member);
        var type = col.ColumnType;
        if (type is KeyDataViewType)
            return (ref T v) => { v = get(current()); CheckKeys(col, type, new ReadOnlySpan<T>(in v), position()); };
        return (ref T v) => v = get(current());
    }

    private static void CheckSize(SchemaDefinition.Column col, int size, int actual, long row)
    {
        if (size > 0 && actual != size)
            throw new InvalidDataException($"Column '{col.ColumnName}', row {row}: the vector has {actual} items, but its type {col.ColumnType} needs {size}.");
    }

    private static void CheckKeys<T>(SchemaDefinition.Column col, DataViewType itemType, ReadOnlySpan<T> values, long row)
    {
        if (itemType is not KeyDataViewType key || typeof(T) != typeof(uint)) return;
        foreach (var v in values)
        {
            uint k = (uint)(object)v!;
            if (k > key.Count)
                throw new InvalidDataException($"Column '{col.ColumnName}', row {row}: key value {k} is outside 0..{key.Count} of type {key}.");
        }
    }
}

/// <summary>Setters that copy a row's columns into objects (CreateEnumerable, prediction output).</summary>
internal static class RowObjectWriter
{
    /// <summary>
    /// An action that reads <paramref name="column"/> of <paramref name="row"/> into member <paramref name="col"/>
    /// of the object it is given; throws <see cref="SchemaException"/> when the types do not fit.
    /// </summary>
    public static Action<TRow> MakeSetter<TRow>(DataViewRow row, DataViewSchema.Column column, SchemaDefinition.Column col, bool reuseArrays)
    {
        var mt = col.MemberType;
        var expected = col.ColumnType.RawType;
        if (column.Type.RawType != expected)
            throw SchemaException.WrongType(column.Name, $"{TypeNames.Of(expected)} (member '{col.MemberName}' of {TypeNames.Of(mt)})", column.Type);
        if (mt == typeof(string)) return StringSetter<TRow>(row, column, col);
        if (mt == typeof(string[])) return StringArraySetter<TRow>(row, column, col);
        if (mt.IsArray)
            return (Action<TRow>)GenericDispatch.Invoke(typeof(RowObjectWriter), nameof(ArraySetter), [typeof(TRow), mt.GetElementType()!], null, row, column, col, reuseArrays)!;
        if (mt.IsGenericType && mt.GetGenericTypeDefinition() == typeof(VBuffer<>))
            return (Action<TRow>)GenericDispatch.Invoke(typeof(RowObjectWriter), nameof(VBufferSetter), [typeof(TRow), mt.GetGenericArguments()[0]], null, row, column, col)!;
        return (Action<TRow>)GenericDispatch.Invoke(typeof(RowObjectWriter), nameof(ScalarSetter), [typeof(TRow), mt], null, row, column, col)!;
    }

    private static Action<TRow> StringSetter<TRow>(DataViewRow row, DataViewSchema.Column column, SchemaDefinition.Column col)
    {
        var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
        var set = MemberAccess.Setter<TRow, string>(col.Member);
        ReadOnlyMemory<char> v = default;
        return o => { getter(ref v); set(o, v.ToString()); };
    }

    private static Action<TRow> StringArraySetter<TRow>(DataViewRow row, DataViewSchema.Column column, SchemaDefinition.Column col)
    {
        var getter = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
        var set = MemberAccess.Setter<TRow, string[]>(col.Member);
        VBuffer<ReadOnlyMemory<char>> v = default;
        return o =>
        {
            getter(ref v);
            var vals = v.GetValues();
            var a = new string[vals.Length];
            for (int i = 0; i < a.Length; i++) a[i] = vals[i].ToString();
            set(o, a);
        };
    }

    private static Action<TRow> ArraySetter<TRow, TItem>(DataViewRow row, DataViewSchema.Column column, SchemaDefinition.Column col, bool reuseArrays)
    {
        var getter = row.GetGetter<VBuffer<TItem>>(column);
        var set = MemberAccess.Setter<TRow, TItem[]>(col.Member);
        var get = reuseArrays ? MemberAccess.Getter<TRow, TItem[]?>(col.Member) : null;
        VBuffer<TItem> v = default;
        return o =>
        {
            getter(ref v);
            var vals = v.GetValues();
            var old = get?.Invoke(o);
            var a = old is not null && old.Length == vals.Length ? old : new TItem[vals.Length];
            vals.CopyTo(a);
            set(o, a);
        };
    }

    private static Action<TRow> VBufferSetter<TRow, TItem>(DataViewRow row, DataViewSchema.Column column, SchemaDefinition.Column col)
    {
        var getter = row.GetGetter<VBuffer<TItem>>(column);
        var set = MemberAccess.Setter<TRow, VBuffer<TItem>>(col.Member);
        return o =>
        {
            VBuffer<TItem> v = default;   // a fresh buffer: the object keeps it
            getter(ref v);
            set(o, v);
        };
    }

    private static Action<TRow> ScalarSetter<TRow, T>(DataViewRow row, DataViewSchema.Column column, SchemaDefinition.Column col)
    {
        var getter = row.GetGetter<T>(column);
        var set = MemberAccess.Setter<TRow, T>(col.Member);
        T v = default!;
        return o => { getter(ref v); set(o, v); };
    }
}
