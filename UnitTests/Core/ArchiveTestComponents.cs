using System.Text.Json.Nodes;
using MLComponents;
using MLComponents.UnitTests.Core;

[assembly: ModelComponent(ArchiveBag.TypeId, typeof(ArchiveBag))]
[assembly: ModelComponent(ThrowingSaveComponent.TypeId, typeof(ThrowingSaveComponent))]
[assembly: ModelComponent(PlainComponent.TypeId, typeof(PlainComponent))]

namespace MLComponents.UnitTests.Core;

/// <summary>
/// A test component that saves whatever it holds: options, float and int tensors, texts and children.
/// Its Load uses only the public ModelLoadContext API, as a real component would.
/// </summary>
public sealed class ArchiveBag : ITransformer
{
    public const string TypeId = "ArchiveTests.Bag";

    public JsonObject UserOptions { get; init; } = [];
    public List<(string Name, float[] Data, int[] Shape)> Floats { get; init; } = [];
    public List<(string Name, int[] Data, int[] Shape)> Ints { get; init; } = [];
    public List<(string Name, string[] Lines)> Texts { get; init; } = [];
    public List<(string Name, ArchiveBag Child)> Children { get; init; } = [];

    public string ComponentTypeId => TypeId;

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    public IDataView Transform(IDataView input) => input;

    public void Save(ModelSaveContext ctx)
    {
        ctx.Options["user"] = UserOptions.DeepClone();
        ctx.Options["floatTensors"] = new JsonArray([.. Floats.Select(f => (JsonNode)f.Name)]);
        foreach (var (name, data, shape) in Floats) ctx.AddTensor(name, data, shape);
        foreach (var (name, data, shape) in Ints) ctx.AddTensor(name, data, shape);
        foreach (var (name, lines) in Texts) ctx.AddText(name, lines);
        foreach (var (name, child) in Children) ctx.AddComponent(name, child);
    }

    public static ArchiveBag Load(ModelLoadContext ctx)
    {
        var floatNames = ctx.GetOption<JsonArray>("floatTensors").Select(n => n!.GetValue<string>()).ToHashSet();
        var bag = new ArchiveBag { UserOptions = ctx.GetOption<JsonObject>("user").DeepClone().AsObject() };
        foreach (string name in ctx.TensorNames)
        {
            int[] shape = ctx.GetTensorShape(name);
            if (floatNames.Contains(name)) bag.Floats.Add((name, ctx.GetFloatTensor(name, shape), shape));
            else bag.Ints.Add((name, ctx.GetIntTensor(name, shape), shape));
        }
        foreach (string name in ctx.TextNames) bag.Texts.Add((name, [.. ctx.GetText(name)]));
        foreach (string name in ctx.ComponentNames) bag.Children.Add((name, ctx.LoadComponent<ArchiveBag>(name)));
        return bag;
    }
}

/// <summary>A component whose Save fails (after running a probe), to test that a failed save leaves nothing behind.</summary>
public sealed class ThrowingSaveComponent(Action? probe = null) : ITransformer
{
    public const string TypeId = "ArchiveTests.ThrowingSave";

    public string ComponentTypeId => TypeId;

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    public IDataView Transform(IDataView input) => input;

    public void Save(ModelSaveContext ctx)
    {
        ctx.AddTensor("w", [1f, 2f], 2);
        probe?.Invoke();
        throw new InvalidOperationException("simulated failure while saving");
    }

    public static ThrowingSaveComponent Load(ModelLoadContext ctx) => new();
}

/// <summary>A component whose options hold a value JSON cannot represent.</summary>
public sealed class NonJsonOptionsComponent : ITransformer
{
    public string ComponentTypeId => "ArchiveTests.NonJson";

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    public IDataView Transform(IDataView input) => input;

    public void Save(ModelSaveContext ctx) => ctx.Options["rate"] = double.NaN;
}

/// <summary>A saveable part that is not a transformer (as a scheme or tokenizer might be).</summary>
public sealed class PlainComponent : ICanSaveModel
{
    public const string TypeId = "ArchiveTests.Plain";

    public string ComponentTypeId => TypeId;

    public void Save(ModelSaveContext ctx) { }

    public static PlainComponent Load(ModelLoadContext ctx) => new();
}
