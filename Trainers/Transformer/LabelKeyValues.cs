namespace MLComponents.Trainers;

/// <summary>
/// The label column's KeyValues annotation as the classifier keeps it: put on PredictedLabel (so MapKeyToValue
/// turns predictions back into label values) and saved in the model archive as encoded text plus the value kind.
/// </summary>
internal sealed class LabelKeyValues
{
    private LabelKeyValues(PrimitiveDataViewType itemType, Array values, object annotationValue)
    {
        ItemType = itemType;
        Values = values;
        AnnotationValue = annotationValue;
    }

    public PrimitiveDataViewType ItemType { get; }

    public Array Values { get; }

    /// <summary>The boxed VBuffer&lt;T&gt; stored in the annotation.</summary>
    public object AnnotationValue { get; }

    /// <summary>The KeyValues of a key column, or null when it has none (or of another length than the key count).</summary>
    public static LabelKeyValues? FromColumn(DataViewSchema.Column column, int keyCount)
    {
        if (column.Annotations.GetTypeOrNull(DataViewSchema.Annotations.KeyValuesKind) is not VectorDataViewType vt || vt.Size != keyCount
            || !KeyValueCodec.IsSupported(vt.ItemType))
            return null;
        var raw = column.Annotations.GetRawOrNull(DataViewSchema.Annotations.KeyValuesKind);
        if (raw is null) return null;
        var values = (Array)GenericDispatch.Invoke(typeof(LabelKeyValues), nameof(CopyValues), [vt.ItemType.RawType], null, raw)!;
        return values.Length == keyCount ? Create(vt.ItemType, values) : null;
    }

    public DataViewSchema.Annotations ToAnnotations() =>
        new DataViewSchema.Annotations.Builder()
            .Add(DataViewSchema.Annotations.KeyValuesKind, new VectorDataViewType(ItemType, Values.Length), AnnotationValue)
            .ToAnnotations();

    public void Save(ModelSaveContext ctx, string kindOption, string textName)
    {
        ctx.Options[kindOption] = KeyValueCodec.KindName(ItemType);
        ctx.AddText(textName, Values.Cast<object>().Select(v => v is ReadOnlyMemory<char> m ? KeyValueCodec.Encode(m) : KeyValueCodec.ToText(v)));
    }

    public static LabelKeyValues? Load(ModelLoadContext ctx, string kindOption, string textName, int keyCount)
    {
        string? kind = ctx.GetOptionOrDefault<string?>(kindOption, null);
        if (kind is null) return null;
        var type = KeyValueCodec.FromKindName(kind, ctx.EntryPath);
        var lines = ctx.GetText(textName);
        if (lines.Count != keyCount)
            throw new ModelFormatException(ctx.EntryPath, $"text '{textName}' has {lines.Count} entries for {keyCount} classes");
        var values = (Array)GenericDispatch.Invoke(typeof(LabelKeyValues), nameof(DecodeAll), [type.RawType], null, lines, ctx.EntryPath)!;
        return Create(type, values);
    }

    private static LabelKeyValues Create(PrimitiveDataViewType type, Array values) =>
        new(type, values, GenericDispatch.Invoke(typeof(LabelKeyValues), nameof(Box), [type.RawType], null, values)!);

    private static T[] CopyValues<T>(object raw) => raw is VBuffer<T> b ? b.GetValues().ToArray() : [];

    private static T[] DecodeAll<T>(IReadOnlyList<string> lines, string entry) => [.. lines.Select(l => KeyValueCodec.Decode<T>(l, entry))];

    private static object Box<T>(T[] values) => new VBuffer<T>(values);
}
