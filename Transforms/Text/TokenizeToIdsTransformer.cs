using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;
using MLComponents.Text;

[assembly: LoadableComponent(typeof(MLComponents.TokenizeToIdsTransformer))]

namespace MLComponents;

/// <summary>
/// Maps text to token ids (the fitted half of TokenizeToIds). Output: a variable-length vector of Int32 ids per row, at most
/// MaxTokens (CLS first when enabled; [CLS] first [SEP] second for a text pair), with a KeyValues annotation holding the text
/// of every id, so downstream trainers size their embedding tables to the whole vocabulary. Saved with its vocabulary (and its
/// tokenizer's recipe and files, for a Microsoft.ML.Tokenizers tokenizer).
/// </summary>
/// <remarks>
/// A null text (in either column of a pair) is read exactly as "": ML.NET's text type cannot tell them apart once loaded
/// (TextLoader and DatabaseLoader give an empty field the same value as a null string), so both give the same ids, at Fit and at
/// Transform. <see cref="GetIds"/>, which takes a .NET string, still refuses null.
/// </remarks>
public sealed class TokenizeToIdsTransformer : ComponentTransformer<TokenizeToIdsTransformer>, ILoadableComponent<TokenizeToIdsTransformer>
{
    private readonly TokenizeToIdsSettings _settings;
    private readonly TokenScheme _scheme;
    private DataViewSchema.Annotations? _idAnnotations;

    internal TokenizeToIdsTransformer(IHostEnvironment env, TokenizeToIdsSettings settings, TokenScheme scheme) : base(env)
    {
        _settings = settings;
        _scheme = scheme;
    }

    /// <inheritdoc />
    public static ComponentSignature Signature { get; } = new("MLC.TokenizeToIds", "MLCTOKID");

    /// <summary>Number of ids the transformer can emit (reserved ids included): the embedding table size a model needs.</summary>
    public int VocabularySize => _scheme.Size;

    /// <summary>The text of every id, reserved ids first (what the output column's KeyValues annotation holds).</summary>
    public IReadOnlyList<string> TokenTexts => _scheme.TokenTexts();

    /// <summary>The id column produced.</summary>
    public string OutputColumnName => _settings.Output;

    /// <summary>The text column read.</summary>
    public string InputColumnName => _settings.Input;

    /// <summary>The second text column of a pair, or null.</summary>
    public string? SecondInputColumnName => _settings.SecondInput;

    /// <summary>Most ids per row (CLS and SEP included).</summary>
    public int MaxTokens => _settings.MaxTokens;

    /// <summary>Whether text is lower-cased before lookup (word tokenizer).</summary>
    public bool LowerCase => _settings.LowerCase;

    /// <summary>Whether every row starts with the CLS id.</summary>
    public bool AddClsToken => _settings.AddClsToken;

    /// <summary>
    /// The same tokenizer (vocabulary and options) reading and writing other columns: the way to give both sides of a
    /// sentence pair one shared vocabulary (fit once on all sentences, then apply to each side).
    /// </summary>
    public TokenizeToIdsTransformer WithColumns(string outputColumnName, string inputColumnName) =>
        new(Environment, new TokenizeToIdsSettings(outputColumnName, inputColumnName, null, MaxTokens, LowerCase, _settings.MinCount,
            _settings.MaxVocabularySize, AddClsToken), _scheme);

    /// <summary>The ids of one text (or pair), exactly as the output column holds them.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null, or the pair's second text is.</exception>
    public int[] GetIds(string text, string? secondText = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (SecondInputColumnName is not null) ArgumentNullException.ThrowIfNull(secondText);
        var writer = new IdWriter(this);
        var ids = new List<int>();
        writer.Write(text.AsSpan(), secondText.AsSpan(), ids);
        return [.. ids];
    }

    /// <inheritdoc />
    public static TokenizeToIdsTransformer Load(IHostEnvironment env, ComponentLoadContext ctx)
    {
        var settings = TokenizeToIdsSettings.Read(ctx);
        var scheme = TokenScheme.Load(ctx, settings.LowerCase);
        if (scheme.Size - Vocabulary.FirstTokenId > settings.MaxVocabularySize)
            throw ctx.Fail(null, $"the vocabulary has {scheme.Size - Vocabulary.FirstTokenId} tokens, more than maxVocabularySize = {settings.MaxVocabularySize}");
        return new TokenizeToIdsTransformer(env, settings, scheme);
    }

    /// <inheritdoc />
    protected override void SaveComponent(ComponentSaveContext ctx)
    {
        _settings.WriteTo(ctx.Options);
        _scheme.Save(ctx);
    }

    /// <inheritdoc />
    protected override RowMapper CreateRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    internal static DataViewSchema.Column RequireText(DataViewSchema schema, string name)
    {
        var col = SchemaChecks.Require(schema, name);
        if (col.Type is not TextDataViewType) throw SchemaException.WrongType(name, "text (String)", col.Type);
        return col;
    }

    private DataViewSchema.Annotations IdAnnotations
    {
        get
        {
            if (_idAnnotations is null)
            {
                var texts = _scheme.TokenTexts().Select(t => t.AsMemory()).ToArray();
                var builder = new DataViewSchema.Annotations.Builder();
                builder.Add(AnnotationKinds.KeyValues, new VectorDataViewType(TextDataViewType.Instance, texts.Length),
                    (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(texts.Length, texts));
                _idAnnotations = builder.ToAnnotations();
            }
            return _idAnnotations;
        }
    }

    /// <summary>Per-cursor state: the scheme's splitter and the scratch lists of a pair.</summary>
    private sealed class IdWriter(TokenizeToIdsTransformer parent)
    {
        private readonly TokenScheme.Splitter _splitter = parent._scheme.CreateSplitter(parent._settings.MaxTokens);
        private readonly List<int> _second = [];

        public void Write(ReadOnlySpan<char> first, ReadOnlySpan<char> second, List<int> ids)
        {
            var s = parent._settings;
            ids.Clear();
            if (s.AddClsToken) ids.Add(Vocabulary.ClsId);
            int start = ids.Count;
            if (s.SecondInput is null)
            {
                _splitter.Append(first, ids, s.MaxTokens - start);
                return;
            }
            // Longest first, as Hugging Face's tokenizers do: trim the longer text (the second on a tie) until both fit around CLS and SEP.
            // Trimming only ever shortens a text to at most the budget, so neither text needs more than the budget's tokens.
            int budget = s.MaxTokens - start - 1;
            _splitter.Append(first, ids, budget);
            _second.Clear();
            _splitter.Append(second, _second, budget);
            int a = ids.Count - start, b = _second.Count;
            while (a + b > budget)
            {
                if (a > b) a--;
                else b--;
            }
            ids.RemoveRange(start + a, ids.Count - start - a);
            ids.Add(Vocabulary.SepId);
            for (int i = 0; i < b; i++) ids.Add(_second[i]);
        }
    }

    private sealed class Mapper : RowMapper
    {
        private readonly TokenizeToIdsTransformer _parent;
        private readonly DataViewSchema.Column _input;
        private readonly DataViewSchema.Column? _secondInput;

        public Mapper(TokenizeToIdsTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _input = RequireText(schema, parent.InputColumnName);
            _secondInput = parent.SecondInputColumnName is { } second ? RequireText(schema, second) : null;
            OutputColumns = [new OutputColumn(parent.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int32), parent.IdAnnotations)];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) =>
            _secondInput is { } s ? [_input, s] : [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (!isOutputActive(0)) return [null];
            var get = input.GetGetter<ReadOnlyMemory<char>>(_input);
            var getSecond = _secondInput is { } s ? input.GetGetter<ReadOnlyMemory<char>>(s) : null;
            var writer = new IdWriter(_parent);
            var ids = new List<int>();
            ReadOnlyMemory<char> text = default, second = default;
            return [(ValueGetter<VBuffer<int>>)((ref VBuffer<int> dst) =>
            {
                get(ref text);
                getSecond?.Invoke(ref second);
                writer.Write(text.Span, second.Span, ids);
                var editor = VBufferEditor.Create(ref dst, ids.Count);
                for (int i = 0; i < ids.Count; i++) editor.Values[i] = ids[i];
                dst = editor.Commit();
            })];
        }
    }
}
