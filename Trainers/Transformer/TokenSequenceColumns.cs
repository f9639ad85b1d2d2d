using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>
/// The trainer's view of its input columns: checks their types (naming the column at fault) and reads
/// labelled token sequences into arrays, truncating long ones and standing in for empty ones.
/// </summary>
internal static class TokenSequenceColumns
{
    /// <summary>What an empty token sequence is read as: the single padding id 0, so the row is still scored.</summary>
    public static readonly int[] EmptySequence = [0];

    public static DataViewSchema.Column RequireTokens(DataViewSchema schema, string name)
    {
        var col = SchemaChecks.Require(schema, name);
        if (col.Type is not VectorDataViewType { ItemType: NumberDataViewType item } || item.RawType != typeof(int))
            throw SchemaException.WrongType(name, "a vector of Int32 token ids (e.g. from TokenizeToIds)", col.Type);
        return col;
    }

    public static (DataViewSchema.Column Column, KeyDataViewType Type) RequireLabel(DataViewSchema schema, string name)
    {
        var col = SchemaChecks.Require(schema, name);
        if (col.Type is not KeyDataViewType key)
            throw SchemaException.WrongType(name, "a key (map the label with MapValueToKey)", col.Type);
        if (key.Count < 2)
            throw new SchemaException($"Column '{name}' is a key of {key.Count} value; a classifier needs at least 2 classes.", name);
        return (col, key);
    }

    /// <summary>The vocabulary size a token column declares through its KeyValues annotation, or 0.</summary>
    public static int DeclaredVocabularySize(DataViewSchema.Column tokens) =>
        tokens.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues)?.Type is VectorDataViewType { Size: > 0 } v ? v.Size : 0;

    /// <summary>
    /// Reads every row with a label (key 0 rows are skipped): sequences truncated to <paramref name="maxTokens"/>,
    /// labels as 0-based class indices. Negative ids throw naming the column and row.
    /// </summary>
    public static Labelled Read(IDataView data, DataViewSchema.Column label, DataViewSchema.Column tokens, int maxTokens, string setName)
    {
        var sequences = new List<int[]>();
        var labels = new List<int>();
        long truncated = 0, skipped = 0, empty = 0;
        int maxId = 0;
        using var cursor = data.GetRowCursor([label, tokens]);
        var getLabel = cursor.GetGetter<uint>(label);
        var getTokens = cursor.GetGetter<VBuffer<int>>(tokens);
        uint y = 0;
        VBuffer<int> buf = default;
        while (cursor.MoveNext())
        {
            getLabel(ref y);
            if (y == 0)
            {
                skipped++;
                continue;
            }
            getTokens(ref buf);
            var ids = buf.GetValues();
            // The whole row sizes the vocabulary, so an id seen only past MaxTokens still gets an embedding row.
            foreach (int id in ids)
            {
                if (id < 0)
                    throw new InvalidDataException($"Column '{tokens.Name}', {setName} row {cursor.Position}: token id {id} is negative.");
                if (id > maxId) maxId = id;
            }
            if (ids.Length > maxTokens)
            {
                truncated++;
                ids = ids[..maxTokens];
            }
            if (ids.IsEmpty) empty++;
            sequences.Add(ids.IsEmpty ? EmptySequence : ids.ToArray());
            labels.Add((int)y - 1);
        }
        return new Labelled(sequences, labels, truncated, skipped, empty, maxId);
    }

    /// <summary>Sequences and 0-based labels read from a view, with counts of what was changed on the way.</summary>
    public sealed record Labelled(List<int[]> Sequences, List<int> Labels, long Truncated, long SkippedMissingLabel, long Empty, int MaxId);
}
