namespace MLComponents;

/// <summary>
/// A label column's KeyValues annotation kept inside a model, so PredictedLabel carries it (and MapKeyToValue works)
/// even when the scored data has no label column. Stored in the archive as the value kind plus one encoded value per line.
/// </summary>
internal sealed class LabelKeyValues
{
    private LabelKeyValues(PrimitiveDataViewType itemType, Array values)
    {
        ItemType = itemType;
        Values = values;
    }

    public PrimitiveDataViewType ItemType { get; }

    public Array Values { get; }

    /// <summary>The annotation of <paramref name="label"/>, or null when it has none (or one of an unsupported type).</summary>
    public static LabelKeyValues? From(DataViewSchema.Column label)
    {
        if (label.Annotations.GetTypeOrNull(DataViewSchema.Annotations.KeyValuesKind) is not VectorDataViewType t
            || !KeyValueCodec.IsSupported(t.ItemType) || label.Annotations.GetRawOrNull(DataViewSchema.Annotations.KeyValuesKind) is not { } raw)
            return null;
        var values = (Array)GenericDispatch.Invoke(typeof(LabelKeyValues), nameof(ToArray), [t.ItemType.RawType], null, raw)!;
        return new LabelKeyValues(t.ItemType, values);
    }

    private static T[] ToArray<T>(object raw) => ((VBuffer<T>)raw).ToArray();

    public DataViewSchema.Annotations ToAnnotations() =>
        (DataViewSchema.Annotations)GenericDispatch.Invoke(typeof(LabelKeyValues), nameof(Build), [ItemType.RawType], this)!;

    private DataViewSchema.Annotations Build<T>() where T : notnull =>
        new DataViewSchema.Annotations.Builder()
            .Add(DataViewSchema.Annotations.KeyValuesKind, new VectorDataViewType(ItemType, Values.Length), new VBuffer<T>((T[])Values))
            .ToAnnotations();

    public void Save(ModelSaveContext ctx, string name)
    {
        ctx.Options[name + "Kind"] = KeyValueCodec.KindName(ItemType);
        ctx.AddText(name, Values.Cast<object>().Select(v => v is ReadOnlyMemory<char> m ? KeyValueCodec.Encode(m) : KeyValueCodec.ToText(v)));
    }

    public static LabelKeyValues? Load(ModelLoadContext ctx, string name)
    {
        if (!ctx.HasText(name)) return null;
        var type = KeyValueCodec.FromKindName(ctx.GetOption<string>(name + "Kind"), ctx.EntryPath);
        var lines = ctx.GetText(name);
        var values = (Array)GenericDispatch.Invoke(typeof(LabelKeyValues), nameof(Decode), [type.RawType], null, lines, ctx.EntryPath)!;
        return new LabelKeyValues(type, values);
    }

    private static T[] Decode<T>(IReadOnlyList<string> lines, string entry) => [.. lines.Select(l => KeyValueCodec.Decode<T>(l, entry))];
}
