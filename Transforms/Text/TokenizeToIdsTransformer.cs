using System.Text;
using MLComponents.Text;

[assembly: MLComponents.ModelComponent(MLComponents.TokenizeToIdsTransformer.TypeId, typeof(MLComponents.TokenizeToIdsTransformer))]

namespace MLComponents;

/// <summary>
/// Maps text to word ids with a learned <see cref="Text.Vocabulary"/> (the fitted half of TokenizeToIds). Output: a
/// variable-length vector of Int32 ids per row, the first maxTokens kept (CLS first when enabled). Saved as its
/// options plus the vocabulary as text (one word per line, id order).
/// </summary>
public sealed class TokenizeToIdsTransformer : RowToRowTransformerBase
{
    internal const string TypeId = "TokenizeToIds";

    private readonly TokenizeToIdsOptions _options;

    internal TokenizeToIdsTransformer(TokenizeToIdsOptions options, Vocabulary vocabulary)
    {
        _options = options;
        Vocabulary = vocabulary;
    }

    /// <summary>The learned vocabulary (<see cref="Vocabulary.Size"/> is the embedding table size a model needs).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>
    /// The output column's KeyValues annotation: the token of every id (reserved tokens first), so downstream
    /// trainers size their embedding tables to the whole vocabulary rather than to the ids their training data happens to hold.
    /// </summary>
    internal DataViewSchema.Annotations IdAnnotations => _idAnnotations ??= new DataViewSchema.Annotations.Builder()
        .AddKeyValues([.. Vocabulary.ReservedTokens, .. Vocabulary.Words]).ToAnnotations();

    private DataViewSchema.Annotations? _idAnnotations;

    /// <summary>The id column produced.</summary>
    public string OutputColumnName => _options.Output;

    /// <summary>The text column read.</summary>
    public string InputColumnName => _options.Input;

    /// <summary>Most ids per row (the CLS id included).</summary>
    public int MaxTokens => _options.MaxTokens;

    /// <summary>Whether text is lower-cased before lookup.</summary>
    public bool LowerCase => _options.LowerCase;

    /// <summary>Whether every row starts with the CLS id.</summary>
    public bool AddClsToken => _options.AddClsToken;

    /// <inheritdoc />
    public override string ComponentTypeId => TypeId;

    /// <summary>
    /// The same tokenizer (vocabulary and options) reading and writing other columns: the way to give both sides
    /// of a sentence pair one shared vocabulary (fit once on all sentences, then apply to each side).
    /// </summary>
    public TokenizeToIdsTransformer WithColumns(string outputColumnName, string inputColumnName) =>
        new(new TokenizeToIdsOptions(outputColumnName, inputColumnName, MaxTokens, LowerCase, _options.MinCount, _options.MaxVocabularySize, AddClsToken), Vocabulary);

    /// <summary>The ids of one text, exactly as the output column holds them.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public int[] GetIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var state = new IdWriter(this);
        state.Write(text.AsSpan(), ids);
        return [.. ids];
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        _options.WriteTo(ctx.Options);
        ctx.AddText("vocabulary", Vocabulary.Words);
    }

    /// <summary>Rebuilds a saved transformer.</summary>
    /// <exception cref="ModelFormatException">An option or the vocabulary is missing or invalid.</exception>
    public static TokenizeToIdsTransformer Load(ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var options = TokenizeToIdsOptions.Read(ctx);
        Vocabulary vocabulary;
        try { vocabulary = Vocabulary.FromWords(ctx.GetText("vocabulary")); }
        catch (ArgumentException e) { throw new ModelFormatException(ctx.EntryPath, $"text 'vocabulary' is invalid: {e.Message}", e); }
        if (vocabulary.Words.Count > options.MaxVocabularySize)
            throw new ModelFormatException(ctx.EntryPath, $"text 'vocabulary' has {vocabulary.Words.Count} words, more than maxVocabularySize = {options.MaxVocabularySize}");
        return new TokenizeToIdsTransformer(options, vocabulary);
    }

    /// <inheritdoc />
    protected override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    internal static DataViewSchema.Column RequireText(DataViewSchema schema, string name)
    {
        var col = schema[name];
        if (col.Type is not TextDataViewType) throw SchemaException.WrongType(name, "text (String)", col.Type);
        return col;
    }

    /// <summary>A null string reaches views as default(ReadOnlyMemory&lt;char&gt;): no backing text at all, unlike "".</summary>
    internal static void CheckPresent(ReadOnlyMemory<char> text, string column, long row)
    {
        if (text.Equals(default(ReadOnlyMemory<char>)))
            throw new InvalidDataException($"Column '{column}', row {row}: the text is missing (null); TokenizeToIds needs a string (use \"\" for an empty text).");
    }

    /// <summary>Per-cursor tokenising state (the scratch builder is not thread-safe).</summary>
    private sealed class IdWriter
    {
        private readonly TokenizeToIdsTransformer _parent;
        private readonly StringBuilder _scratch = new();
        private readonly Action<string> _onWord;
        private List<int> _target = [];

        public IdWriter(TokenizeToIdsTransformer parent)
        {
            _parent = parent;
            _onWord = OnWord;
        }

        public void Write(ReadOnlySpan<char> text, List<int> ids)
        {
            ids.Clear();
            if (_parent.AddClsToken) ids.Add(Vocabulary.ClsId);
            _target = ids;
            // The tokenizer has no early exit; words past maxTokens are split but dropped.
            WordTokenizer.Split(text, _parent.LowerCase, _scratch, _onWord);
        }

        private void OnWord(string word)
        {
            if (_target.Count < _parent.MaxTokens) _target.Add(_parent.Vocabulary.GetId(word));
        }
    }

    private sealed class Mapper : RowMapper
    {
        private readonly TokenizeToIdsTransformer _parent;
        private readonly DataViewSchema.Column _input;

        public Mapper(TokenizeToIdsTransformer parent, DataViewSchema schema) : base(schema)
        {
            _parent = parent;
            _input = RequireText(schema, parent.InputColumnName);
            OutputColumns = [new OutputColumn(parent.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int32), parent.IdAnnotations)];
        }

        public override IReadOnlyList<OutputColumn> OutputColumns { get; }

        public override IEnumerable<DataViewSchema.Column> GetDependencies(int outputIndex) => [_input];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> isOutputActive)
        {
            if (!isOutputActive(0)) return [null];
            var get = input.GetGetter<ReadOnlyMemory<char>>(_input);
            var writer = new IdWriter(_parent);
            var ids = new List<int>();
            ReadOnlyMemory<char> text = default;
            return [(ValueGetter<VBuffer<int>>)((ref VBuffer<int> dst) =>
            {
                get(ref text);
                CheckPresent(text, _input.Name, input.Position);
                writer.Write(text.Span, ids);
                var buf = VBufferUtils.Rent(dst, ids.Count);
                ids.CopyTo(buf);
                dst = new VBuffer<int>(ids.Count, buf);
            })];
        }
    }
}
