using System.Text.Json.Nodes;
using MLComponents.Engine;
using MLComponents.MLNet;

namespace MLComponents.Trainers;

/// <summary>
/// Writes and reads a <see cref="TransformerEncoder"/> (geometry, scheme, pooling, seed and every weight as a
/// tensor named after its parameter) in a component's archive entry. Option names match the Transformer
/// classifier's, so every encoder-bearing component stores an encoder the same way.
/// </summary>
internal static class EncoderArchive
{
    /// <summary>Geometry, scheme, pooling and seed as options, then every encoder weight as a tensor.</summary>
    public static void Save(ComponentSaveContext ctx, TransformerEncoder encoder, Pooling pooling)
    {
        SaveGeometry(ctx, encoder, pooling);
        foreach (var p in encoder.Parameters)
        {
            ctx.AddTensor(p.Name, p.Value, p.Shape);
        }
    }

    /// <summary>The options half of <see cref="Save"/> (for models that store more parameters than the encoder's).</summary>
    public static void SaveGeometry(ComponentSaveContext ctx, TransformerEncoder encoder, Pooling pooling)
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
        // Written only when on, so models without them save exactly what they saved before.
        if (c.RandomizedPositions > 0) o["randomizedPositions"] = c.RandomizedPositions;
        if (c.LogLengthScale > 0) o["logLengthScale"] = c.LogLengthScale;
        if (c.LogLengthScaleBiases) o["logLengthScaleBiases"] = true;
    }

    /// <summary>Reads what <see cref="SaveGeometry"/> wrote, naming the entry and option at fault.</summary>
    public static (TransformerConfig Config, PositionEncoding Scheme, int Seed, Pooling Pooling) ReadGeometry(ComponentLoadContext ctx)
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
            RandomizedPositions = ctx.GetOptionOrDefault("randomizedPositions", 0),
            LogLengthScale = ctx.GetOptionOrDefault("logLengthScale", 0),
            LogLengthScaleBiases = ctx.GetOptionOrDefault("logLengthScaleBiases", false),
        };
        string poolingName = ctx.GetOption<string>("pooling");
        if (!Enum.TryParse(poolingName, out Pooling pooling) || !Enum.IsDefined(pooling))
        {
            throw ctx.Fail(ComponentLoadContext.OptionsEntry, $"option 'pooling' has unknown value '{poolingName}'");
        }
        var scheme = PositionEncoding.FromJson(ctx.GetOption<JsonObject>("positionEncoding"));
        return (config, scheme, ctx.GetOption<int>("seed"), pooling);
    }

    /// <summary>Copies every stored weight into <paramref name="parameters"/>; the archive must hold exactly those tensors.</summary>
    public static void ReadWeights(ComponentLoadContext ctx, IReadOnlyList<Numerics.Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            ctx.GetFloatTensor(p.Name, p.Shape).CopyTo(p.Value, 0);
        }
        if (ctx.TensorNames.Count != parameters.Count)
        {
            throw ctx.Fail(ComponentLoadContext.WeightsEntry, $"{ctx.TensorNames.Count} tensors stored, the model has {parameters.Count} parameters");
        }
    }

    /// <summary>Rebuilds an encoder saved by <see cref="Save"/>.</summary>
    public static (TransformerEncoder Encoder, Pooling Pooling) Load(ComponentLoadContext ctx)
    {
        var (config, scheme, seed, pooling) = ReadGeometry(ctx);
        var encoder = new TransformerEncoder(config, scheme, seed);
        ReadWeights(ctx, encoder.Parameters);
        return (encoder, pooling);
    }
}
