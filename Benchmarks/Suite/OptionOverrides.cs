using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLComponents.Trainers;

namespace MLComponents.Benchmarks.Suite;

/// <summary>
/// <c>--set Name=Value</c> overrides of the trainers' options (e.g. <c>--set ModelDimension=128 --set Schedule=Constant</c>), for
/// controlled experiments: each is applied by reflection to every options object that has a public property of that name
/// (case-insensitive); a name neither trainer has is an error. <c>PositionEncoding</c> takes a scheme name or the scheme's JSON
/// (<c>--set 'PositionEncoding={"kind":"fire","threshold":32}'</c>), which replaces the <c>--schemes</c> one. Without any, the trainers run on their defaults.
/// </summary>
public sealed class OptionOverrides
{
    private readonly List<(string Name, string Value)> _items = [];

    /// <summary>The option types the names are checked against.</summary>
    public static IReadOnlyList<Type> OptionTypes { get; } = [typeof(Trainers.TransformerClassifierOptions), typeof(Trainers.SentenceSimilarityOptions)];

    /// <summary>True when no override is set.</summary>
    public bool IsEmpty => _items.Count == 0;

    /// <summary>Adds one <c>Name=Value</c>; throws <see cref="ArgumentException"/> for a bad form or an unknown name.</summary>
    public void Add(string assignment)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new ArgumentException($"--set needs Name=Value, got '{assignment}'");
        string name = assignment[..eq].Trim(), value = assignment[(eq + 1)..].Trim();
        var found = OptionTypes.Select(t => Find(t, name)).Where(p => p is not null).ToList();
        if (found.Count == 0) throw new ArgumentException($"--set {name}: no trainer option of that name");
        foreach (var p in found) Convert(p!.PropertyType, value, name); // fails now rather than after an hour of training
        _items.Add((name, value));
    }

    /// <summary>
    /// Builds each trainer from its default options with the overrides set, so that a value its trainer refuses
    /// (<c>EmbeddingLearningRateScale=0</c>) is an <see cref="ArgumentException"/> before any data is written, not after it.
    /// </summary>
    public void Validate()
    {
        var ml = new MLContext(seed: 1);
        var classifier = new TransformerClassifierOptions();
        Apply(classifier);
        _ = ml.MulticlassClassification.Trainers.Transformer(classifier);
        var similarity = new SentenceSimilarityOptions();
        Apply(similarity);
        _ = ml.Regression.Trainers.SentenceSimilarity(similarity);
    }

    /// <summary>Sets the overrides that <paramref name="options"/> has.</summary>
    public void Apply(object options)
    {
        foreach (var (name, value) in _items)
        {
            if (Find(options.GetType(), name) is PropertyInfo p) p.SetValue(options, Convert(p.PropertyType, value, name));
        }
    }

    /// <summary>The overrides as one word for tables ("defaults" when none).</summary>
    public override string ToString() => IsEmpty ? "defaults" : string.Join(",", _items.Select(i => $"{i.Name}={i.Value}"));

    private static PropertyInfo? Find(Type type, string name) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p => p.CanWrite && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static object Convert(Type type, string value, string name)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            if (target.IsEnum) return Enum.Parse(target, value, ignoreCase: true);
            if (target == typeof(PositionEncoding))
                return value.StartsWith('{') ? PositionEncoding.FromJson(JsonNode.Parse(value)!.AsObject()) : SuiteSchemes.Create(value);
            return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException($"--set {name}={value}: not a {target.Name}", e);
        }
    }
}
