using System.Text.Json.Nodes;

namespace MLComponents;

/// <summary>The options of TokenizeToIds, validated once and written to / read from the model archive.</summary>
internal sealed record TokenizeToIdsOptions
{
    public TokenizeToIdsOptions(string output, string input, int maxTokens, bool lowerCase, int minCount, int maxVocabularySize, bool addClsToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(output, "outputColumnName");
        ArgumentException.ThrowIfNullOrEmpty(input, "inputColumnName");
        if (maxTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "Option 'maxTokens' must be positive.");
        if (addClsToken && maxTokens < 2)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "Option 'maxTokens' must be at least 2 with addClsToken (the CLS id counts toward it).");
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), minCount, "Option 'minCount' must be positive.");
        if (maxVocabularySize < 1)
            throw new ArgumentOutOfRangeException(nameof(maxVocabularySize), maxVocabularySize, "Option 'maxVocabularySize' must be positive.");
        Output = output; Input = input; MaxTokens = maxTokens; LowerCase = lowerCase; MinCount = minCount;
        MaxVocabularySize = maxVocabularySize; AddClsToken = addClsToken;
    }

    public string Output { get; }
    public string Input { get; }
    public int MaxTokens { get; }
    public bool LowerCase { get; }
    public int MinCount { get; }
    public int MaxVocabularySize { get; }
    public bool AddClsToken { get; }

    public void WriteTo(JsonObject json)
    {
        json["outputColumnName"] = Output;
        json["inputColumnName"] = Input;
        json["maxTokens"] = MaxTokens;
        json["lowerCase"] = LowerCase;
        json["minCount"] = MinCount;
        json["maxVocabularySize"] = MaxVocabularySize;
        json["addClsToken"] = AddClsToken;
    }

    public static TokenizeToIdsOptions Read(ModelLoadContext ctx)
    {
        try
        {
            return new(ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"), ctx.GetOption<int>("maxTokens"),
                ctx.GetOption<bool>("lowerCase"), ctx.GetOption<int>("minCount"), ctx.GetOption<int>("maxVocabularySize"),
                ctx.GetOption<bool>("addClsToken"));
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(ctx.EntryPath, $"invalid TokenizeToIds option: {e.Message}", e);
        }
    }
}
