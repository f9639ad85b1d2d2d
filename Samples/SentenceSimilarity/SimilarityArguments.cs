using System.Globalization;

namespace MLComponents.Samples.SentenceSimilarity;

/// <summary>The sample's command line: no arguments (embedded pairs) or TSV files with Sentence1, Sentence2, Label headers.</summary>
public sealed class SimilarityArguments
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: SentenceSimilarity [--train F.tsv --test G.tsv [--test H.tsv ...]]\n" +
        "       [--encoding none|sinusoidal|learned|scaled|shaw|t5|rope|xpos|alibi|fire] [--epochs N] [--loss mse|cosent] [--max-tokens N] [--seed N]";

    /// <summary>Training TSV, or null for the embedded pairs.</summary>
    public string? TrainFile { get; private set; }

    /// <summary>Test TSVs.</summary>
    public List<string> TestFiles { get; } = [];

    /// <summary>Position-encoding scheme name.</summary>
    public string Encoding { get; private set; } = "rope";

    /// <summary>Epochs.</summary>
    public int Epochs { get; private set; } = 12;

    /// <summary>Loss name (mse or cosent).</summary>
    public string Loss { get; private set; } = "mse";

    /// <summary>Longest token sequence kept.</summary>
    public int MaxTokens { get; private set; } = 64;

    /// <summary>Seed of the context.</summary>
    public int Seed { get; private set; } = 1;

    /// <summary>The names <c>--encoding</c> accepts.</summary>
    public static IReadOnlyList<string> EncodingNames => PositionEncoding.Kinds;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a one-line message on a bad one.</summary>
    public static SimilarityArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var a = new SimilarityArguments();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"option '{name}' needs a value");
                return args[++i];
            }
            int Int(int min)
            {
                string v = Value();
                if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min)
                    throw new ArgumentException($"option '{name}' needs an integer >= {min}, got '{v}'");
                return n;
            }
            switch (name)
            {
                case "--train": a.TrainFile = Value(); break;
                case "--test": a.TestFiles.Add(Value()); break;
                case "--encoding":
                    a.Encoding = Value().ToLowerInvariant();
                    if (!EncodingNames.Contains(a.Encoding))
                        throw new ArgumentException($"option '--encoding' must be one of {string.Join("|", EncodingNames)}, got '{a.Encoding}'");
                    break;
                case "--loss":
                    a.Loss = Value().ToLowerInvariant();
                    if (a.Loss is not ("mse" or "cosent")) throw new ArgumentException($"option '--loss' must be mse or cosent, got '{a.Loss}'");
                    break;
                case "--epochs": a.Epochs = Int(1); break;
                case "--max-tokens": a.MaxTokens = Int(1); break;
                case "--seed": a.Seed = Int(int.MinValue); break;
                default: throw new ArgumentException($"unknown argument '{name}'");
            }
        }
        if (a.TrainFile is null && a.TestFiles.Count > 0) throw new ArgumentException("'--test' needs '--train'");
        if (a.TrainFile is not null && a.TestFiles.Count == 0) throw new ArgumentException("'--train' needs at least one '--test' file");
        return a;
    }

    /// <summary>The scheme for <see cref="Encoding"/>.</summary>
    public PositionEncoding CreateEncoding() =>
        Encoding == "learned" ? PositionEncoding.Learned(maxPositions: MaxTokens) : PositionEncoding.FromKind(Encoding);
}
