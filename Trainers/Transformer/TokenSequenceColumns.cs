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
    /// labels as 0-based class indices. Negative ids throw naming the column and row; with <paramref name="cls"/>, so does
    /// a row that does not start with the id the rule has seen first (<see cref="ClsTokenRule"/>).
    /// </summary>
    public static Labelled Read(IDataView data, DataViewSchema.Column label, DataViewSchema.Column tokens, int maxTokens, string setName,
        ClsTokenRule? cls = null)
    {
        var sequences = new List<int[]>();
        var labels = new List<int>();
        var counts = new ReadCounts { Cls = cls };
        foreach (var (ids, y) in Rows(data, label, tokens, maxTokens, setName, counts))
        {
            sequences.Add(ids);
            labels.Add(y);
        }
        return new Labelled(sequences, labels, counts.Truncated, counts.SkippedMissingLabel, counts.Empty, counts.MaxId);
    }

    /// <summary>
    /// The labelled rows of a view, one at a time, as <see cref="Read"/> makes them (truncated, empty ones as the padding id,
    /// 0-based labels), counting into <paramref name="counts"/>; nothing is held but the row being read. With
    /// <paramref name="keep"/>, only the labelled rows whose 0-based ordinal (among labelled rows) it accepts.
    /// </summary>
    public static IEnumerable<(int[] Ids, int Label)> Rows(IDataView data, DataViewSchema.Column label, DataViewSchema.Column tokens, int maxTokens,
        string setName, ReadCounts counts, Func<long, bool>? keep = null)
    {
        long ordinal = -1;
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
                counts.SkippedMissingLabel++;
                continue;
            }
            // Rows are numbered among the labelled ones; keep decides which of them this pass gives.
            if (keep is not null && !keep(++ordinal)) continue;
            getTokens(ref buf);
            var ids = buf.GetValues();
            // The whole row sizes the vocabulary, so an id seen only past MaxTokens still gets an embedding row.
            foreach (int id in ids)
            {
                if (id < 0)
                    throw new InvalidDataException($"Column '{tokens.Name}', {setName} row {cursor.Position}: token id {id} is negative.");
                if (id > counts.MaxId) counts.MaxId = id;
            }
            counts.Cls?.Check(ids, tokens.Name, setName, cursor.Position);
            if (ids.Length > maxTokens)
            {
                counts.Truncated++;
                ids = ids[..maxTokens];
            }
            if (ids.IsEmpty) counts.Empty++;
            counts.Rows++;
            yield return (ids.IsEmpty ? EmptySequence : ids.ToArray(), (int)y - 1);
        }
    }

    /// <summary>
    /// The rows held out for validation when the user gives no validation set: a seeded sample of
    /// round(<paramref name="fraction"/> x rows) labelled-row ordinals, at most <paramref name="cap"/>; none below
    /// <paramref name="minimumRows"/> rows (too few to spare any).
    /// </summary>
    public static HashSet<long> HoldOut(long rows, double fraction, int cap, int minimumRows, int seed)
    {
        var chosen = new HashSet<long>();
        if (fraction <= 0 || rows < minimumRows) return chosen;
        long k = Math.Min(cap, Math.Max(1, (long)Math.Round(fraction * rows)));
        var rng = new Random(seed);
        while (chosen.Count < k) chosen.Add(rng.NextInt64(rows));
        return chosen;
    }

    /// <summary>Splits rows read into memory into those kept for training and those held out.</summary>
    public static (Labelled Train, Labelled Held) Split(Labelled all, HashSet<long> heldOut)
    {
        var (ts, tl, hs, hl) = (new List<int[]>(), new List<int>(), new List<int[]>(), new List<int>());
        int maxTrain = 0, maxHeld = 0;
        for (int i = 0; i < all.Sequences.Count; i++)
        {
            var seq = all.Sequences[i];
            int m = seq.Length == 0 ? 0 : seq.Max();
            if (heldOut.Contains(i))
            {
                hs.Add(seq);
                hl.Add(all.Labels[i]);
                maxHeld = Math.Max(maxHeld, m);
            }
            else
            {
                ts.Add(seq);
                tl.Add(all.Labels[i]);
                maxTrain = Math.Max(maxTrain, m);
            }
        }
        // The counts of what was changed on the way stay with the training set: they describe the data the user gave.
        return (all with { Sequences = ts, Labels = tl, MaxId = all.MaxId }, new Labelled(hs, hl, 0, 0, 0, maxHeld));
    }

    /// <summary>What <see cref="Rows"/> saw: rows given, and what was changed or left out on the way.</summary>
    public sealed class ReadCounts
    {
        public long Rows { get; set; }

        public long Truncated { get; set; }

        public long SkippedMissingLabel { get; set; }

        public long Empty { get; set; }

        public int MaxId { get; set; }

        /// <summary>When set, every row must start with the same (CLS) id.</summary>
        public ClsTokenRule? Cls { get; init; }
    }

    /// <summary>Sequences and 0-based labels read from a view, with counts of what was changed on the way.</summary>
    public sealed record Labelled(List<int[]> Sequences, List<int> Labels, long Truncated, long SkippedMissingLabel, long Empty, int MaxId);
}
