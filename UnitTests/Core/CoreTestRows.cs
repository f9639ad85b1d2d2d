namespace MLComponents.UnitTests.Core;

// Row classes shared by the Core data tests.
public sealed class LabeledText
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

public sealed class NumberRow
{
    public float X { get; set; }
    public int Id { get; set; }
}

public sealed class RichRow
{
    [ColumnName("Words")] public string Text { get; set; } = "";
    public float Weight;
    public double Precise { get; set; }
    public long Big { get; set; }
    public bool Flag { get; set; }
    [KeyType(5)] public uint Category { get; set; }
    [VectorType(3)] public float[] Features { get; set; } = [];
    public int[] Ids { get; set; } = [];
    [NoColumn] public string Ignored { get; set; } = "ignored";
}

public sealed class TsvRow
{
    [LoadColumn(0)] public string Text { get; set; } = "";
    [LoadColumn(1)] public float Score { get; set; }
    [LoadColumn(2)] public string Label { get; set; } = "";
}

public sealed class TsvVectorRow
{
    [LoadColumn(0)] public int Id { get; set; }
    [LoadColumn(1, 3)] public float[] Features { get; set; } = [];
}

// No [LoadColumn]: members are found by header name (our extension of ML.NET).
public sealed class HeaderRow
{
    public string Label { get; set; } = "";
    [ColumnName("Review")] public string Text { get; set; } = "";
}
