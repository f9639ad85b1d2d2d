using Microsoft.ML;
using Microsoft.ML.Data;
using MLComponents.Engine;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>Reads the sentence-similarity trainer's input columns (two token-id vectors and a float label).</summary>
internal static class PairColumns
{
    /// <summary>The same token-column rule as the classifier.</summary>
    public static DataViewSchema.Column RequireTokens(DataViewSchema schema, string name) => TokenSequenceColumns.RequireTokens(schema, name);

    public static DataViewSchema.Column RequireLabel(DataViewSchema schema, string name)
    {
        var col = SchemaChecks.Require(schema, name);
        if (!col.Type.Equals(NumberDataViewType.Single))
        {
            throw SchemaException.WrongType(name, "Single (a float similarity label)", col.Type);
        }
        return col;
    }

    /// <summary>The two token columns and the label column, checked (naming the column at fault).</summary>
    public static (DataViewSchema.Column First, DataViewSchema.Column Second, DataViewSchema.Column Label) Require(DataViewSchema schema,
        string first, string second, string label) => (RequireTokens(schema, first), RequireTokens(schema, second), RequireLabel(schema, label));

    /// <summary>
    /// Reads every row whose label is not NaN (rows with a NaN label are skipped and counted): sequences truncated to
    /// <paramref name="maxTokens"/>, empty ones read as [0] (see <see cref="SentenceEmbedder"/>). Negative ids and infinite labels
    /// throw naming the column and row.
    /// </summary>
    public static PairData Read(IDataView data, string first, string second, string label, int maxTokens, string set, ClsTokenRule? cls = null)
    {
        var columns = Require(data.Schema, first, second, label);
        var s1 = new List<int[]>();
        var s2 = new List<int[]>();
        var labels = new List<float>();
        var counts = new ReadCounts { Cls = cls };
        foreach (var (a, b, y) in Rows(data, columns, maxTokens, set, counts))
        {
            s1.Add(a);
            s2.Add(b);
            labels.Add(y);
        }
        return new PairData(new SentencePairs(s1, s2, labels), counts.Truncated, counts.SkippedMissingLabel, counts.MaxId);
    }

    /// <summary>
    /// The labelled pairs of a view, one at a time, as <see cref="Read"/> makes them, counting into <paramref name="counts"/>;
    /// nothing is held but the row being read.
    /// </summary>
    public static IEnumerable<(int[] First, int[] Second, float Label)> Rows(IDataView data,
        (DataViewSchema.Column First, DataViewSchema.Column Second, DataViewSchema.Column Label) columns, int maxTokens, string set, ReadCounts counts)
    {
        var (c1, c2, cl) = columns;
        using var cursor = data.GetRowCursor([c1, c2, cl]);
        var g1 = cursor.GetGetter<VBuffer<int>>(c1);
        var g2 = cursor.GetGetter<VBuffer<int>>(c2);
        var gl = cursor.GetGetter<float>(cl);
        VBuffer<int> b1 = default, b2 = default;
        float y = 0;
        while (cursor.MoveNext())
        {
            gl(ref y);
            if (float.IsNaN(y))
            {
                counts.SkippedMissingLabel++;
                continue;
            }
            if (!float.IsFinite(y))
            {
                throw new InvalidDataException($"Column '{cl.Name}', {set} row {cursor.Position}: label {y} is not finite.");
            }
            g1(ref b1);
            g2(ref b2);
            var first = Take(b1.GetValues(), c1.Name, cursor.Position, maxTokens, set, counts);
            var second = Take(b2.GetValues(), c2.Name, cursor.Position, maxTokens, set, counts);
            counts.Rows++;
            if (y < counts.LabelMin) counts.LabelMin = y;
            if (y > counts.LabelMax) counts.LabelMax = y;
            yield return (first, second, y);
        }
    }

    private static int[] Take(ReadOnlySpan<int> ids, string column, long row, int maxTokens, string set, ReadCounts counts)
    {
        foreach (int id in ids)
        {
            if (id < 0)
            {
                throw new InvalidDataException($"Column '{column}', {set} row {row}: token id {id} is negative.");
            }
            if (id > counts.MaxId)
            {
                counts.MaxId = id;
                counts.MaxIdColumn = column;
            }
        }
        counts.Cls?.Check(ids, column, set, row);
        if (ids.Length > maxTokens)
        {
            counts.Truncated++;
        }
        return SentenceEmbedder.Prepare(ids.ToArray(), maxTokens);
    }

    /// <summary>What <see cref="Rows"/> saw: pairs given, what was changed or left out on the way, the largest id and the label range.</summary>
    public sealed class ReadCounts
    {
        public long Rows { get; set; }

        /// <summary>Token sequences (either side) longer than MaxTokens.</summary>
        public long Truncated { get; set; }

        public long SkippedMissingLabel { get; set; }

        /// <summary>The largest token id read (before truncation), and the column it was first seen in.</summary>
        public int MaxId { get; set; }

        public string? MaxIdColumn { get; set; }

        public float LabelMin { get; set; } = float.PositiveInfinity;

        public float LabelMax { get; set; } = float.NegativeInfinity;

        /// <summary>When set, every sentence on either side must start with the same (CLS) id.</summary>
        public ClsTokenRule? Cls { get; init; }
    }
}

/// <summary>Sentence pairs read from a view, with counts of what was changed or left out on the way.</summary>
/// <param name="Pairs">The labelled pairs.</param>
/// <param name="Truncated">Token sequences longer than MaxTokens (truncated).</param>
/// <param name="SkippedMissingLabel">Rows left out because their label was NaN (missing).</param>
/// <param name="MaxId">The largest token id read (before truncation).</param>
internal sealed record PairData(SentencePairs Pairs, long Truncated, long SkippedMissingLabel, int MaxId);
