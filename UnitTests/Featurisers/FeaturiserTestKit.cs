namespace MLComponents.UnitTests.Featurisers;

/// <summary>A text row (Label optional).</summary>
public sealed class TextRow
{
    public string? Text { get; set; }

    public string Label { get; set; } = "";
}

/// <summary>A row of token ids, for the featurisers alone.</summary>
public sealed class IdRow
{
    public int[] Tokens { get; set; } = [];
}

/// <summary>Views from rows, column reads and save/load round trips for the featuriser tests.</summary>
internal static class FeaturiserTestKit
{
    public static IDataView Texts(MLContext ml, params string?[] texts) =>
        ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }).ToList());

    public static IDataView Ids(MLContext ml, params int[][] rows) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => new IdRow { Tokens = r }).ToList());

    /// <summary>Every row's value of a vector column, copied.</summary>
    public static List<T[]> Vectors<T>(IDataView view, string column)
    {
        var col = view.Schema[column];
        var list = new List<T[]>();
        using var cursor = view.GetRowCursor([col]);
        var get = cursor.GetGetter<VBuffer<T>>(col);
        VBuffer<T> v = default;
        while (cursor.MoveNext())
        {
            get(ref v);
            list.Add(v.DenseValues().ToArray());
        }
        return list;
    }

    /// <summary>Every row's value of a scalar column.</summary>
    public static List<T> Scalars<T>(IDataView view, string column)
    {
        var col = view.Schema[column];
        var list = new List<T>();
        using var cursor = view.GetRowCursor([col]);
        var get = cursor.GetGetter<T>(col);
        T v = default!;
        while (cursor.MoveNext())
        {
            get(ref v);
            list.Add(v);
        }
        return list;
    }

    /// <summary>Saves to bytes and loads back with a fresh context (nothing shared but the bytes).</summary>
    public static ITransformer RoundTrip(ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        new MLContext(seed: 99).Model.Save(model, schema, stream);
        stream.Position = 0;
        return new MLContext().Model.Load(stream, out _);
    }

    public static void AllEqual<T>(List<T[]> expected, List<T[]> actual, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count, $"{what}: row count");
        for (int i = 0; i < expected.Count; i++) CollectionAssert.AreEqual(expected[i], actual[i], $"{what}: row {i}");
    }

    public static void AreClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], tolerance, $"{what}: element {i}");
    }
}
