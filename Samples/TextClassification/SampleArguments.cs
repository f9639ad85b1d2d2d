using System.Globalization;

namespace MLComponents.Samples.TextClassification;

/// <summary>The sample's command line: no arguments (embedded data) or TSV files with header rows.</summary>
public sealed class SampleArguments
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: TextClassification [--train F.tsv --test G.tsv [--test H.tsv ...]] [--label-column Label] [--text-column Text]\n" +
        "       [--encoding none|sinusoidal|learned|scaled|shaw|t5|rope|xpos|alibi|fire] [--epochs N] [--max-tokens N] [--seed N] [--model-out path.zip]";

    /// <summary>Training TSV, or null for the embedded default data.</summary>
    public string? TrainFile { get; private set; }

    /// <summary>Test TSVs (at least one with <see cref="TrainFile"/>).</summary>
    public List<string> TestFiles { get; } = [];

    /// <summary>Header name of the label column.</summary>
    public string LabelColumn { get; private set; } = "Label";

    /// <summary>Header name of the text column.</summary>
    public string TextColumn { get; private set; } = "Text";

    /// <summary>Position-encoding scheme name.</summary>
    public string Encoding { get; private set; } = "rope";

    /// <summary>Epochs, or null for the default.</summary>
    public int? Epochs { get; private set; }

    /// <summary>Longest token sequence kept.</summary>
    public int MaxTokens { get; private set; } = 64;

    /// <summary>Seed of the context.</summary>
    public int Seed { get; private set; } = 1;

    /// <summary>Where the model is saved, or null for a file in the temp directory.</summary>
    public string? ModelOut { get; private set; }

    /// <summary>The names <c>--encoding</c> accepts.</summary>
    public static IReadOnlyList<string> EncodingNames => PositionEncoding.Kinds;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a one-line message on a bad one.</summary>
    public static SampleArguments Parse(IReadOnlyList<string> args)
    {
        var a = new SampleArguments();
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
                case "--label-column": a.LabelColumn = Value(); break;
                case "--text-column": a.TextColumn = Value(); break;
                case "--encoding":
                    a.Encoding = Value().ToLowerInvariant();
                    if (!EncodingNames.Contains(a.Encoding))
                        throw new ArgumentException($"option '--encoding' must be one of {string.Join("|", EncodingNames)}, got '{a.Encoding}'");
                    break;
                case "--epochs": a.Epochs = Int(1); break;
                case "--max-tokens": a.MaxTokens = Int(1); break;
                case "--seed": a.Seed = Int(int.MinValue); break;
                case "--model-out": a.ModelOut = Value(); break;
                default: throw new ArgumentException($"unknown argument '{name}'");
            }
        }
        if (a.TrainFile is null && a.TestFiles.Count > 0) throw new ArgumentException("'--test' needs '--train'");
        if (a.TrainFile is not null && a.TestFiles.Count == 0) throw new ArgumentException("'--train' needs at least one '--test' file");
        if (a.LabelColumn == a.TextColumn) throw new ArgumentException($"'--label-column' and '--text-column' are both '{a.LabelColumn}'");
        return a;
    }

    /// <summary>The scheme for <see cref="Encoding"/>.</summary>
    public PositionEncoding CreateEncoding() =>
        Encoding == "learned" ? PositionEncoding.Learned(maxPositions: MaxTokens) : PositionEncoding.FromKind(Encoding);
}
