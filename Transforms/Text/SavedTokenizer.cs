using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>
/// Microsoft.ML.Tokenizers tokenizers that TokenizeToIds can save with the model, so the .zip reloads in any process.
/// Files a tokenizer is built from (a WordPiece vocabulary, BPE vocabulary and merges, a SentencePiece model) are stored
/// inside the model; tiktoken encodings are stored by name and need their data package (e.g.
/// Microsoft.ML.Tokenizers.Data.Cl100kBase) in the loading application, as an ML.NET model needs the assemblies of its
/// components. Any other tokenizer works in memory; to save it, <see cref="Register"/> a factory under a name and create
/// the tokenizer with <see cref="Registered"/>: loading calls the factory registered under that name.
/// </summary>
public static class SavedTokenizer
{
    private static readonly ConditionalWeakTable<Tokenizer, TokenizerRecipe> Recipes = [];
    private static readonly Dictionary<string, Func<Tokenizer>> Factories = new(StringComparer.Ordinal);
    private static readonly Lock FactoriesLock = new();

    /// <summary>A tiktoken tokenizer by encoding name ("cl100k_base", "o200k_base", "r50k_base", "p50k_base") or model name ("gpt-4o").</summary>
    /// <exception cref="InvalidOperationException">The encoding's data package is not referenced by the application.</exception>
    public static Tokenizer Tiktoken(string encodingOrModelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(encodingOrModelName);
        return Remember(CreateTiktoken(encodingOrModelName), new TokenizerRecipe("tiktoken", encodingOrModelName, new JsonObject(), []));
    }

    /// <summary>A BERT WordPiece tokenizer (basic pre-tokenisation, optional lower-casing) from a vocab.txt file, stored in the model.</summary>
    public static Tokenizer Bert(string vocabularyFile, bool lowerCase = true)
    {
        var vocab = ReadFile(vocabularyFile);
        var options = new JsonObject { ["lowerCase"] = lowerCase };
        return Remember(CreateBert(vocab, lowerCase), new TokenizerRecipe("bert", null, options, new() { ["vocab"] = vocab }));
    }

    /// <summary>A BPE tokenizer from vocab.json and merges.txt files, both stored in the model.</summary>
    public static Tokenizer Bpe(string vocabularyJsonFile, string mergesFile)
    {
        byte[] vocab = ReadFile(vocabularyJsonFile), merges = ReadFile(mergesFile);
        return Remember(CreateBpe(vocab, merges), new TokenizerRecipe("bpe", null, new JsonObject(), new() { ["vocab"] = vocab, ["merges"] = merges }));
    }

    /// <summary>A SentencePiece (Llama-style) tokenizer from its .model file, stored in the model; no BOS/EOS ids are added.</summary>
    public static Tokenizer SentencePiece(string modelFile)
    {
        var model = ReadFile(modelFile);
        return Remember(CreateSentencePiece(model), new TokenizerRecipe("sentencepiece", null, new JsonObject(), new() { ["model"] = model }));
    }

    /// <summary>
    /// Registers <paramref name="factory"/> under <paramref name="name"/> (in this process), so models whose tokenizer was
    /// created by <see cref="Registered"/> with that name can be saved and loaded. Register before loading such a model.
    /// </summary>
    public static void Register(string name, Func<Tokenizer> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (FactoriesLock) Factories[name] = factory;
    }

    /// <summary>The tokenizer the factory registered under <paramref name="name"/> makes (saved with the model by name).</summary>
    public static Tokenizer Registered(string name) =>
        Remember(CreateRegistered(name), new TokenizerRecipe("registered", name, new JsonObject(), []));

    /// <summary>How <paramref name="tokenizer"/> was made, or null when it did not come from this class.</summary>
    internal static TokenizerRecipe? RecipeOf(Tokenizer tokenizer) => Recipes.TryGetValue(tokenizer, out var r) ? r : null;

    /// <summary>Rebuilds a tokenizer from a stored recipe; failures name the component.</summary>
    internal static Tokenizer Recreate(JsonObject recipe, ComponentLoadContext ctx, string blobPrefix)
    {
        string kind = recipe["kind"]?.GetValue<string>() ?? throw ctx.Fail(ComponentLoadContext.OptionsEntry, "the tokenizer recipe has no 'kind'");
        string? name = recipe["name"]?.GetValue<string>();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in recipe["files"]?.AsArray() ?? [])
        {
            string f = file?.GetValue<string>() ?? throw ctx.Fail(ComponentLoadContext.OptionsEntry, "the tokenizer recipe lists a null file");
            files[f] = ctx.GetBlob(blobPrefix + f);
        }
        var options = recipe["options"] as JsonObject ?? [];
        try
        {
            var tokenizer = kind switch
            {
                "tiktoken" => CreateTiktoken(name ?? throw new InvalidOperationException("the tiktoken recipe has no encoding name")),
                "bert" => CreateBert(files["vocab"], options["lowerCase"]?.GetValue<bool>() ?? true),
                "bpe" => CreateBpe(files["vocab"], files["merges"]),
                "sentencepiece" => CreateSentencePiece(files["model"]),
                "registered" => CreateRegistered(name ?? throw new InvalidOperationException("the registered recipe has no name")),
                _ => throw new InvalidOperationException($"unknown tokenizer kind '{kind}'"),
            };
            return Remember(tokenizer, new TokenizerRecipe(kind, name, options, files));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException or FormatException or InvalidDataException
            or System.Text.Json.JsonException or NotSupportedException)
        {
            throw ctx.Fail(null, $"cannot rebuild its {kind} tokenizer: {e.Message}", e);
        }
    }

    /// <summary>The ids of <paramref name="text"/> alone (no special tokens: TokenizeToIds adds its own CLS and SEP).</summary>
    internal static IReadOnlyList<int> Encode(Tokenizer tokenizer, ReadOnlySpan<char> text) =>
        tokenizer is BertTokenizer bert ? bert.EncodeToIds(text, addSpecialTokens: false) : tokenizer.EncodeToIds(text);

    /// <summary>Readable text of one external id (for the id column's KeyValues).</summary>
    internal static string Describe(Tokenizer tokenizer, int id)
    {
        try
        {
            return tokenizer.Decode([id]) ?? $"#{id}";
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            return $"#{id}";
        }
    }

    private static Tokenizer Remember(Tokenizer tokenizer, TokenizerRecipe recipe)
    {
        Recipes.AddOrUpdate(tokenizer, recipe);
        return tokenizer;
    }

    private static Tokenizer CreateTiktoken(string name)
    {
        try
        {
            return TiktokenTokenizer.CreateForEncoding(name);
        }
        catch (Exception) when (!name.Contains("_base", StringComparison.Ordinal))
        {
            // Not an encoding name: try it as a model name ("gpt-4o").
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"tiktoken encoding '{name}' is not available: reference its data package " +
                $"(e.g. Microsoft.ML.Tokenizers.Data.{DataPackageName(name)}) in the application ({e.Message})", e);
        }
        try
        {
            return TiktokenTokenizer.CreateForModel(name);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"'{name}' is neither a tiktoken encoding nor a model name whose encoding's data package " +
                $"(Microsoft.ML.Tokenizers.Data.*) the application references ({e.Message})", e);
        }
    }

    private static string DataPackageName(string encoding) => string.Concat(encoding.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    private static Tokenizer CreateBert(byte[] vocab, bool lowerCase) =>
        BertTokenizer.Create(new MemoryStream(vocab), new BertOptions { LowerCaseBeforeTokenization = lowerCase });

    private static Tokenizer CreateBpe(byte[] vocab, byte[] merges) => BpeTokenizer.Create(new MemoryStream(vocab), new MemoryStream(merges));

    private static Tokenizer CreateSentencePiece(byte[] model) =>
        LlamaTokenizer.Create(new MemoryStream(model), addBeginOfSentence: false, addEndOfSentence: false);

    private static Tokenizer CreateRegistered(string name)
    {
        Func<Tokenizer>? factory;
        lock (FactoriesLock) Factories.TryGetValue(name, out factory);
        if (factory is null)
            throw new InvalidOperationException($"no tokenizer factory is registered under the name '{name}'; call SavedTokenizer.Register(\"{name}\", ...) first");
        return factory() ?? throw new InvalidOperationException($"the tokenizer factory registered under '{name}' returned null");
    }

    private static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"Tokenizer file '{path}' cannot be read: {e.Message}", path, e);
        }
    }
}

/// <summary>How a saveable tokenizer was made: its kind, a name (tiktoken encoding, registered factory), options and files.</summary>
internal sealed record TokenizerRecipe(string Kind, string? Name, JsonObject Options, Dictionary<string, byte[]> Files)
{
    /// <summary>Writes the recipe as option <paramref name="optionName"/> and the files as blobs named <paramref name="blobPrefix"/> + file.</summary>
    public void Save(ComponentSaveContext ctx, string optionName, string blobPrefix)
    {
        var json = new JsonObject { ["kind"] = Kind, ["name"] = Name, ["options"] = Options.DeepClone() };
        var files = new JsonArray();
        foreach (var (file, bytes) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            files.Add(file);
            ctx.AddBlob(blobPrefix + file, bytes);
        }
        json["files"] = files;
        ctx.Options[optionName] = json;
    }
}
