using MLComponents.Engine;
using MLComponents.TorchSharp;
using TorchSharp;

namespace MLComponents.Benchmarks;

/// <summary>
/// The TorchSharp backend on the torch_ref.py configuration: the same <see cref="SequenceClassifier"/> geometry and
/// initial weights as the managed workload (RoPE, mean pooling, no dropout), moved into <see cref="TorchSequenceClassifier"/>,
/// AdamW in the managed decay groups, one dispose scope per call, libtorch limited to the given thread count.
/// </summary>
internal sealed class TorchSharpWorkload : IModelWorkload, IDisposable
{
    private readonly ModelConfig _config;
    private readonly TorchSequenceClassifier _model;
    private readonly TorchOptimiser _optimiser;
    private readonly int[] _ids, _lengths, _labels, _single, _singleLength;
    private readonly float[] _probabilities;
    private long _step;

    public TorchSharpWorkload(ModelConfig config, int threads)
    {
        _config = config;
        torch.set_num_threads(threads);
        var geometry = new TransformerConfig
        {
            Vocabulary = config.Vocabulary, ModelDimension = config.ModelDimension, Heads = config.Heads, Layers = config.Layers,
            FeedForwardDimension = config.FeedForward, MaxTokens = config.Tokens, Dropout = 0f,
        };
        var managed = new SequenceClassifier(geometry, config.Classes, PositionEncoding.Rotary(), seed: 0);
        _model = new TorchSequenceClassifier(managed);
        _optimiser = new TorchOptimiser(_model, managed.Parameters, weightDecay: 0.01f);
        var rng = new Random(0);
        _ids = [.. Enumerable.Range(0, config.Batch * config.Tokens).Select(_ => rng.Next(config.Vocabulary))];
        _lengths = [.. Enumerable.Repeat(config.Tokens, config.Batch)];
        _labels = [.. Enumerable.Range(0, config.Batch).Select(_ => rng.Next(config.Classes))];
        _single = _ids[..config.SingleTokens];
        _singleLength = [config.SingleTokens];
        _probabilities = new float[config.Classes];
        Description = $"TorchSequenceClassifier (libtorch {torch.__version__}), {managed.Parameters.Sum(p => (long)p.Length)} parameters, RoPE, dropout 0, " +
            $"AdamW lr {config.LearningRate}, {threads} libtorch thread(s), CPU";
    }

    public string Description { get; }

    public void TrainStep()
    {
        using var scope = torch.NewDisposeScope();
        _optimiser.ZeroGrad();
        var logits = _model.Forward(_model.Batch(_ids, _lengths, _config.Batch, _config.Tokens), training: true, _step);
        _model.Loss(logits, _labels).backward();
        _optimiser.Step(clipNorm: 0, _config.LearningRate);
        _step++;
    }

    public void InferBatch()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _model.Forward(_model.Batch(_ids, _lengths, _config.Batch, _config.Tokens), training: false);
    }

    public void InferSingle()
    {
        // Probabilities back on the host, as the managed Predict returns them.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = _model.Forward(_model.Batch(_single, _singleLength, 1, _config.SingleTokens), training: false);
        torch.nn.functional.softmax(logits, -1).data<float>().CopyTo(_probabilities);
    }

    public void Dispose()
    {
        _optimiser.Dispose();
        _model.Dispose();
    }
}
