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

    /// <summary>
    /// Reads every row whose label is not NaN (rows with a NaN label are skipped and counted): sequences truncated to
    /// <paramref name="maxTokens"/>, empty ones read as [0] (see <see cref="SentenceEmbedder"/>). Negative ids and infinite labels
    /// throw naming the column and row.
    /// </summary>
    public static PairData Read(IDataView data, string first, string second, string label, int maxTokens, string set)
    {
        var c1 = RequireTokens(data.Schema, first);
        var c2 = RequireTokens(data.Schema, second);
        var cl = RequireLabel(data.Schema, label);
        var s1 = new List<int[]>();
        var s2 = new List<int[]>();
        var labels = new List<float>();
        long truncated = 0, skipped = 0;
        int maxId = 0;
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
                skipped++;
                continue;
            }
            if (!float.IsFinite(y))
            {
                throw new InvalidDataException($"Column '{label}', {set} row {cursor.Position}: label {y} is not finite.");
            }
            g1(ref b1);
            g2(ref b2);
            s1.Add(Take(b1.GetValues(), first, cursor.Position, maxTokens, set, ref truncated, ref maxId));
            s2.Add(Take(b2.GetValues(), second, cursor.Position, maxTokens, set, ref truncated, ref maxId));
            labels.Add(y);
        }
        return new PairData(new SentencePairs(s1, s2, labels), truncated, skipped, maxId);
    }

    private static int[] Take(ReadOnlySpan<int> ids, string column, long row, int maxTokens, string set, ref long truncated, ref int maxId)
    {
        foreach (int id in ids)
        {
            if (id < 0)
            {
                throw new InvalidDataException($"Column '{column}', {set} row {row}: token id {id} is negative.");
            }
            maxId = Math.Max(maxId, id);
        }
        if (ids.Length > maxTokens)
        {
            truncated++;
        }
        return SentenceEmbedder.Prepare(ids.ToArray(), maxTokens);
    }
}

/// <summary>Sentence pairs read from a view, with counts of what was changed or left out on the way.</summary>
/// <param name="Pairs">The labelled pairs.</param>
/// <param name="Truncated">Token sequences longer than MaxTokens (truncated).</param>
/// <param name="SkippedMissingLabel">Rows left out because their label was NaN (missing).</param>
/// <param name="MaxId">The largest token id read (before truncation).</param>
internal sealed record PairData(SentencePairs Pairs, long Truncated, long SkippedMissingLabel, int MaxId);
