using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>Every option of <c>ml.Transforms.Text.TokenizeToIds</c>; the catalog's overloads set the common ones.</summary>
public sealed class TokenizeToIdsOptions
{
    /// <summary>The id column produced (vector of Int32, variable length).</summary>
    public string OutputColumnName { get; set; } = "Tokens";

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; set; } = "Text";

    /// <summary>
    /// An optional second text column: each row becomes [CLS] first [SEP] second (CLS only with <see cref="AddClsToken"/>), for
    /// models that classify a pair of texts as one sequence. Truncation then trims the longer text first (the second on a tie, as Hugging Face's longest-first does).
    /// </summary>
    public string? SecondInputColumnName { get; set; }

    /// <summary>
    /// A Microsoft.ML.Tokenizers tokenizer to split text with (tiktoken, BPE, WordPiece...); null uses the built-in word
    /// tokenizer. Its ids are compacted to the ids seen in training (plus the reserved ids), so the embedding table stays
    /// small. To save the model, create the tokenizer with <see cref="SavedTokenizer"/>. It reads at most 32 x MaxTokens characters
    /// of each text (at least 4096), so one enormous word cannot stall its quadratic BPE.
    /// </summary>
    public Tokenizer? Tokenizer { get; set; }

    /// <summary>Most ids kept per row, reserved ids included (&gt; 0).</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Lower-case (invariant culture) before counting and looking up (word tokenizer only).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>A token needs at least this many occurrences in the training data to get an id (&gt; 0).</summary>
    public int MinCount { get; set; } = 1;

    /// <summary>Most tokens kept (reserved ids not counted), most frequent first (&gt; 0).</summary>
    public int MaxVocabularySize { get; set; } = 50_000;

    /// <summary>Put the CLS id first in every row (for models that pool the first position).</summary>
    public bool AddClsToken { get; set; }

    internal TokenizeToIdsSettings Validate() => new(OutputColumnName, InputColumnName, SecondInputColumnName, MaxTokens, LowerCase, MinCount,
        MaxVocabularySize, AddClsToken);
}

/// <summary>The options of TokenizeToIds, validated once and written to / read from the saved model.</summary>
internal sealed record TokenizeToIdsSettings
{
    public TokenizeToIdsSettings(string output, string input, string? secondInput, int maxTokens, bool lowerCase, int minCount, int maxVocabularySize,
        bool addClsToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(output, "outputColumnName");
        ArgumentException.ThrowIfNullOrEmpty(input, "inputColumnName");
        if (secondInput is not null) ArgumentException.ThrowIfNullOrEmpty(secondInput, "secondInputColumnName");
        if (maxTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "Option 'maxTokens' must be positive.");
        int reserved = (addClsToken ? 1 : 0) + (secondInput is null ? 0 : 1);
        if (maxTokens <= reserved)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"Option 'maxTokens' must exceed the {reserved} reserved ids (CLS, SEP) each row holds.");
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), minCount, "Option 'minCount' must be positive.");
        if (maxVocabularySize < 1)
            throw new ArgumentOutOfRangeException(nameof(maxVocabularySize), maxVocabularySize, "Option 'maxVocabularySize' must be positive.");
        Output = output;
        Input = input;
        SecondInput = secondInput;
        MaxTokens = maxTokens;
        LowerCase = lowerCase;
        MinCount = minCount;
        MaxVocabularySize = maxVocabularySize;
        AddClsToken = addClsToken;
    }

    public string Output { get; }
    public string Input { get; }
    public string? SecondInput { get; }
    public int MaxTokens { get; }
    public bool LowerCase { get; }
    public int MinCount { get; }
    public int MaxVocabularySize { get; }
    public bool AddClsToken { get; }

    public void WriteTo(JsonObject json)
    {
        json["outputColumnName"] = Output;
        json["inputColumnName"] = Input;
        json["secondInputColumnName"] = SecondInput;
        json["maxTokens"] = MaxTokens;
        json["lowerCase"] = LowerCase;
        json["minCount"] = MinCount;
        json["maxVocabularySize"] = MaxVocabularySize;
        json["addClsToken"] = AddClsToken;
    }

    public static TokenizeToIdsSettings Read(ComponentLoadContext ctx) =>
        new(ctx.GetOption<string>("outputColumnName"), ctx.GetOption<string>("inputColumnName"), ctx.GetOptionOrDefault<string?>("secondInputColumnName", null),
            ctx.GetOption<int>("maxTokens"), ctx.GetOption<bool>("lowerCase"), ctx.GetOption<int>("minCount"), ctx.GetOption<int>("maxVocabularySize"),
            ctx.GetOption<bool>("addClsToken"));
}
