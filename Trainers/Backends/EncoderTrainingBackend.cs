using System.Reflection;

namespace MLComponents.Engine;

/// <summary>Which engine trains a Transformer encoder.</summary>
public enum TransformerBackend
{
    /// <summary>The pure-managed engine (<see cref="SequenceClassifierTrainer"/>, <see cref="SiameseTrainer"/>): CPU, nothing native.</summary>
    Managed,

    /// <summary>
    /// libtorch through TorchSharp (CPU, or CUDA where the application references a CUDA build of libtorch). Needs the
    /// assembly <c>MLComponents.Trainers.TorchSharp</c> (see <see cref="EncoderTrainingBackends.TorchSharpAssemblyName"/>).
    /// </summary>
    TorchSharp,
}

/// <summary>A trained model and the epoch bookkeeping the ML.NET trainers record.</summary>
/// <typeparam name="TModel">The engine model (<see cref="SequenceClassifier"/> or <see cref="SiameseModel"/>).</typeparam>
/// <param name="Model">The model, always a managed engine model (whatever backend trained it), so prediction, saving and loading do not depend on the backend.</param>
/// <param name="EpochsTrained">Epochs run (fewer than asked when early stopping ended training).</param>
/// <param name="BestEpoch">The epoch whose weights <paramref name="Model"/> holds (the last epoch without validation data).</param>
public sealed record TrainedEncoder<TModel>(TModel Model, int EpochsTrained, int BestEpoch);

/// <summary>
/// A backend that trains the engine's models on token-id sequences already truncated to MaxTokens, with the
/// semantics of the <see cref="SequenceClassifierTrainer"/> and <see cref="SiameseTrainer"/>: same options and
/// defaults, same initial weights for a seed, same batches, progress reports, cancellation between steps, validation
/// and early stopping keeping the best epoch's weights. The result is a managed model whatever the backend.
/// </summary>
public interface IEncoderTrainingBackend
{
    /// <summary>The backend.</summary>
    TransformerBackend Backend { get; }

    /// <summary>The device it trains on ("cpu", "cuda:0", ...).</summary>
    string Device { get; }

    /// <summary>
    /// Trains a classifier on examples held in memory or streamed (see
    /// <see cref="SequenceClassifierTrainer.Fit(ClassifierTrainingData, IReadOnlyList{int[]}?, IReadOnlyList{int}?, IProgress{TrainingProgress}?, CancellationToken)"/>
    /// for the rules on inputs).
    /// </summary>
    TrainedEncoder<SequenceClassifier> FitClassifier(SequenceClassifierOptions options, ClassifierTrainingData train,
        IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Trains a siamese similarity model on pairs held in memory or streamed (see
    /// <see cref="SiameseTrainer.Fit(PairTrainingData, SentencePairs?, IProgress{SimilarityTrainingProgress}?, CancellationToken)"/>
    /// for the rules on inputs).
    /// </summary>
    TrainedEncoder<SiameseModel> FitSiamese(SiameseOptions options, PairTrainingData train, SentencePairs? validation = null,
        IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>Conveniences over <see cref="IEncoderTrainingBackend"/>.</summary>
public static class EncoderTrainingBackendExtensions
{
    /// <summary>Trains a classifier on sequences and labels held in memory.</summary>
    public static TrainedEncoder<SequenceClassifier> FitClassifier(this IEncoderTrainingBackend backend, SequenceClassifierOptions options,
        IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return backend.FitClassifier(options, ClassifierTrainingData.InMemory(sequences, labels), validationSequences, validationLabels, progress, cancellationToken);
    }

    /// <summary>Trains a siamese similarity model on pairs held in memory.</summary>
    public static TrainedEncoder<SiameseModel> FitSiamese(this IEncoderTrainingBackend backend, SiameseOptions options, SentencePairs train,
        SentencePairs? validation = null, IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return backend.FitSiamese(options, PairTrainingData.InMemory(train), validation, progress, cancellationToken);
    }
}

/// <summary>
/// Marks the type of an assembly that implements <see cref="IEncoderTrainingBackend"/> for a <see cref="TransformerBackend"/>.
/// The type needs a public constructor taking the device string.
/// </summary>
/// <param name="backend">The backend the type implements.</param>
/// <param name="type">The implementing type.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class EncoderTrainingBackendAttribute(TransformerBackend backend, Type type) : Attribute
{
    /// <summary>The backend the type implements.</summary>
    public TransformerBackend Backend { get; } = backend;

    /// <summary>The implementing type.</summary>
    public Type Type { get; } = type;
}

/// <summary>
/// Finds a training backend. The TorchSharp backend lives in its own assembly (so an application that never trains with
/// it carries no native library) and is found by name at run time: the trainers compile without TorchSharp.
/// </summary>
public static class EncoderTrainingBackends
{
    /// <summary>The assembly that implements <see cref="TransformerBackend.TorchSharp"/>.</summary>
    public const string TorchSharpAssemblyName = "MLComponents.Trainers.TorchSharp";

    /// <summary>
    /// The backend for <paramref name="backend"/> on <paramref name="device"/> ("cpu", "cuda", "cuda:1"; null means "cpu").
    /// Throws <see cref="InvalidOperationException"/> naming the assembly when the TorchSharp backend is not referenced,
    /// and naming the device when it does not exist (e.g. CUDA asked for where libtorch has none).
    /// </summary>
    public static IEncoderTrainingBackend Get(TransformerBackend backend, string? device = null) =>
        Get(backend, device, TorchSharpAssemblyName);

    /// <summary><see cref="Get(TransformerBackend, string?)"/> with the TorchSharp assembly's name given (tests use a missing one).</summary>
    internal static IEncoderTrainingBackend Get(TransformerBackend backend, string? device, string torchSharpAssembly)
    {
        device ??= "cpu";
        switch (backend)
        {
            case TransformerBackend.Managed:
                return new ManagedTrainingBackend(device);
            case TransformerBackend.TorchSharp:
                return Create(LoadTorchSharp(torchSharpAssembly), backend, device);
            default:
                throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown Transformer backend.");
        }
    }

    private static Assembly LoadTorchSharp(string name)
    {
        try
        {
            return Assembly.Load(new AssemblyName(name));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new InvalidOperationException(
                $"Backend TorchSharp needs the assembly '{name}', which this application does not reference. " +
                $"Add a reference to the {name} project or package (it brings TorchSharp and libtorch), or use Backend = Managed.", e);
        }
    }

    private static IEncoderTrainingBackend Create(Assembly assembly, TransformerBackend backend, string device)
    {
        var type = assembly.GetCustomAttributes<EncoderTrainingBackendAttribute>().FirstOrDefault(a => a.Backend == backend)?.Type
            ?? throw new InvalidOperationException($"Assembly '{assembly.GetName().Name}' declares no {backend} training backend.");
        try
        {
            return (IEncoderTrainingBackend)Activator.CreateInstance(type, device)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The backend's own error (unknown device, no CUDA, native library not loadable) is the one worth showing.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The managed engine behind the same interface.</summary>
    private sealed class ManagedTrainingBackend : IEncoderTrainingBackend
    {
        public ManagedTrainingBackend(string device)
        {
            if (!string.Equals(device.Trim(), "cpu", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Device '{device}': the managed backend runs on the CPU only; use Backend = TorchSharp for '{device}'.");
            }
        }

        public TransformerBackend Backend => TransformerBackend.Managed;

        public string Device => "cpu";

        public TrainedEncoder<SequenceClassifier> FitClassifier(SequenceClassifierOptions options, ClassifierTrainingData train,
            IReadOnlyList<int[]>? validationSequences = null, IReadOnlyList<int>? validationLabels = null,
            IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var epochs = new EpochRecorder<TrainingProgress>(progress, new BestEpochRule(validationSequences?.Count ?? 0, options.EarlyStoppingPatience),
                p => p.EpochEnd ? (p.Epoch, p.ValidationAccuracy) : null);
            var model = new SequenceClassifierTrainer(options).Fit(train, validationSequences, validationLabels, epochs, cancellationToken);
            return new TrainedEncoder<SequenceClassifier>(model, epochs.Epochs, validationSequences is null ? epochs.Epochs : epochs.BestEpoch);
        }

        public TrainedEncoder<SiameseModel> FitSiamese(SiameseOptions options, PairTrainingData train, SentencePairs? validation = null,
            IProgress<SimilarityTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var trainer = new SiameseTrainer(options);
            var model = trainer.Fit(train, validation, progress, cancellationToken);
            return new TrainedEncoder<SiameseModel>(model, trainer.EpochsTrained, trainer.BestEpoch);
        }
    }

    /// <summary>Forwards progress and keeps the epoch count and the kept epoch (<see cref="BestEpochRule"/>, as the trainer applies it).</summary>
    private sealed class EpochRecorder<T>(IProgress<T>? inner, BestEpochRule rule, Func<T, (int Epoch, double? Accuracy)?> epochEnd) : IProgress<T>
    {
        public int Epochs { get; private set; }

        public int BestEpoch => rule.KeptEpoch;

        public void Report(T value)
        {
            if (epochEnd(value) is { } e)
            {
                Epochs = e.Epoch;
                if (e.Accuracy is double a) rule.Observe(e.Epoch, a);
            }
            inner?.Report(value);
        }
    }
}
