using System.Text.Json.Nodes;
using MLComponents.Engine;

namespace MLComponents.Trainers;

/// <summary>
/// Writes and reads a <see cref="TransformerEncoder"/> (geometry, scheme, pooling, seed and every weight as a
/// tensor named after its parameter) in a component's archive entry. Option names match the Transformer
/// classifier's, so every encoder-bearing component stores an encoder the same way.
/// </summary>
internal static class EncoderArchive
{
    public static void Save(ModelSaveContext ctx, TransformerEncoder encoder, Pooling pooling)
    {
        var c = encoder.Config;
        var o = ctx.Options;
        o["vocabularySize"] = c.Vocabulary;
        o["modelDimension"] = c.ModelDimension;
        o["heads"] = c.Heads;
        o["layers"] = c.Layers;
        o["feedForwardDimension"] = c.FeedForwardDimension;
        o["maxTokens"] = c.MaxTokens;
        o["dropout"] = c.Dropout;
        o["pooling"] = pooling.ToString();
        o["seed"] = encoder.Seed;
        o["positionEncoding"] = encoder.PositionEncoding.ToJson();
        foreach (var p in encoder.Parameters)
        {
            ctx.AddTensor(p.Name, p.Value, p.Shape);
        }
    }

    /// <summary>Rebuilds the encoder; <paramref name="extraTensors"/> is how many other tensors the component stores.</summary>
    public static (TransformerEncoder Encoder, Pooling Pooling) Load(ModelLoadContext ctx, int extraTensors = 0)
    {
        var config = new TransformerConfig
        {
            Vocabulary = ctx.GetOption<int>("vocabularySize"),
            ModelDimension = ctx.GetOption<int>("modelDimension"),
            Heads = ctx.GetOption<int>("heads"),
            Layers = ctx.GetOption<int>("layers"),
            FeedForwardDimension = ctx.GetOption<int>("feedForwardDimension"),
            MaxTokens = ctx.GetOption<int>("maxTokens"),
            Dropout = ctx.GetOption<float>("dropout"),
        };
        string poolingName = ctx.GetOption<string>("pooling");
        if (!Enum.TryParse(poolingName, out Pooling pooling) || !Enum.IsDefined(pooling))
        {
            throw new ModelFormatException(ctx.EntryPath, $"option 'pooling' has unknown value '{poolingName}'");
        }
        var scheme = PositionEncoding.FromJson(ctx.GetOption<JsonObject>("positionEncoding"));
        var encoder = new TransformerEncoder(config, scheme, ctx.GetOption<int>("seed"));
        foreach (var p in encoder.Parameters)
        {
            ctx.GetFloatTensor(p.Name, p.Shape).CopyTo(p.Value, 0);
        }
        if (ctx.TensorNames.Count != encoder.Parameters.Count + extraTensors)
        {
            throw new ModelFormatException(ctx.EntryPath, $"{ctx.TensorNames.Count} tensors stored, the encoder has {encoder.Parameters.Count} parameters");
        }
        return (encoder, pooling);
    }
}
