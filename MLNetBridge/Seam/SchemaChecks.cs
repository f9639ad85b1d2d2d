using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLComponents.MLNet;

/// <summary>Schema lookups and estimator output shapes, with errors that name the column.</summary>
public static class SchemaChecks
{
    /// <summary>The column of that name, or a <see cref="SchemaException"/> listing the columns there are.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string name)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(name);
        var col = schema.GetColumnOrNull(name);
        return col ?? throw SchemaException.MissingColumn(name, schema);
    }

    /// <summary>The column of that name in an estimator's input shape, or a <see cref="SchemaException"/>.</summary>
    public static SchemaShape.Column Require(SchemaShape shape, string name)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.TryFindColumn(name, out var col)) return col;
        throw new SchemaException($"Column '{name}' not found. Available columns: {string.Join(", ", shape.Select(c => $"'{c.Name}'"))}.", name);
    }

    /// <summary>A column description for an estimator's output shape (ML.NET keeps the constructor internal).</summary>
    public static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, params string[] annotationKinds)
    {
        SchemaShape? annotations = null;
        if (annotationKinds.Length > 0)
        {
            annotations = new SchemaShape(annotationKinds.Select(k => k switch
            {
                AnnotationKinds.SlotNames or AnnotationKinds.KeyValues => new SchemaShape.Column(k, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false),
                AnnotationKinds.ScoreColumnKind or AnnotationKinds.ScoreValueKind => new SchemaShape.Column(k, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
                _ => throw new ArgumentException($"Unknown annotation kind '{k}'.", nameof(annotationKinds)),
            }));
        }
        return new SchemaShape.Column(name, kind, itemType, isKey, annotations);
    }

    /// <summary>The shape with <paramref name="columns"/> added (replacing input columns of the same names).</summary>
    public static SchemaShape With(SchemaShape shape, params SchemaShape.Column[] columns)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return new SchemaShape(shape.Where(c => !names.Contains(c.Name)).Concat(columns));
    }
}

/// <summary>ML.NET's annotation kind names (plain strings; ML.NET keeps its constants internal).</summary>
public static class AnnotationKinds
{
    /// <summary>Names of a vector's slots.</summary>
    public const string SlotNames = "SlotNames";

    /// <summary>The values a key column stands for.</summary>
    public const string KeyValues = "KeyValues";

    /// <summary>What kind of score column this is (e.g. "MulticlassClassification").</summary>
    public const string ScoreColumnKind = "ScoreColumnKind";

    /// <summary>What a score column holds ("Score", "PredictedLabel").</summary>
    public const string ScoreValueKind = "ScoreValueKind";
}
