using MLComponents.Engine;

namespace MLComponents.Benchmarks;

/// <summary>
/// Builds the engine's model for the benchmark. This is the one place that knows the trainer's API;
/// everything else in the harness only sees <see cref="IModelWorkload"/>.
/// </summary>
internal static class ModelWorkloads
{
    /// <summary>The workload for <paramref name="threads"/> threads, or null with the reason it cannot run.</summary>
    public static IModelWorkload? Create(ModelConfig config, int threads, out string reason) => Create(config, threads, sparseEmbedding: false, out reason);

    /// <summary>As <see cref="Create(ModelConfig, int, out string)"/>, optionally with the opt-in sparse embedding update (not torch's work).</summary>
    public static IModelWorkload? Create(ModelConfig config, int threads, bool sparseEmbedding, out string reason)
    {
        reason = "";
        return new ClassifierWorkload(config, threads, sparseEmbedding);
    }

    /// <summary>
    /// <see cref="SequenceClassifier"/> configured as torch_ref.py's model: RoPE (interleaved pairs), mean
    /// pooling over tokens, no dropout (torch_ref has none), AdamW with torch's defaults (decay 0.01).
    /// </summary>
    internal sealed class ClassifierWorkload : IModelWorkload
    {
        private readonly ModelConfig _config;
        private readonly SequenceClassifier _model;
        private readonly AdamW _optimiser;
        private readonly int[] _ids, _lengths, _labels, _single;
        private readonly float[] _probabilities;
        private long _step;

        public ClassifierWorkload(ModelConfig config, int threads, bool sparseEmbedding)
        {
            _config = config;
            var geometry = new TransformerConfig
            {
                Vocabulary = config.Vocabulary,
                ModelDimension = config.ModelDimension,
                Heads = config.Heads,
                Layers = config.Layers,
                FeedForwardDimension = config.FeedForward,
                MaxTokens = config.Tokens,
                Dropout = 0f,
            };
            _model = new SequenceClassifier(geometry, config.Classes, PositionEncoding.Rotary(), seed: 0) { Threads = threads };
            _optimiser = new AdamW(_model.Parameters) { Threads = threads };
            if (sparseEmbedding)
            {
                _model.SparseEmbeddingGradients = true;
                _optimiser.UpdateRowsOnly(_model.Encoder.TokenEmbedding, _model.Encoder.TokenRows);
            }

            var rng = new Random(0);
            _ids = [.. Enumerable.Range(0, config.Batch * config.Tokens).Select(_ => rng.Next(config.Vocabulary))];
            _lengths = [.. Enumerable.Repeat(config.Tokens, config.Batch)];
            _labels = [.. Enumerable.Range(0, config.Batch).Select(_ => rng.Next(config.Classes))];
            _single = _ids[..config.SingleTokens];
            _probabilities = new float[config.Classes];
            _model.Plan(config.Batch);
            Description = $"SequenceClassifier, {_model.Parameters.Sum(p => (long)p.Length)} parameters, RoPE, dropout 0, " +
                $"AdamW lr {config.LearningRate}, {threads} thread(s) (single sentences via Predict too)";
        }

        public string Description { get; }

        public void TrainStep()
        {
            _model.ZeroGrad();
            _model.Forward(_ids, _lengths, _config.Batch, _config.Tokens, training: true, _step);
            _model.Loss(_labels);
            _model.Backward();
            _optimiser.Update(_config.LearningRate);
            _step++;
        }

        public void InferBatch() => _model.Infer(_ids, _lengths, _config.Batch, _config.Tokens);

        /// <summary>The same batch through Forward(training: false), which keeps every activation (what Infer saves).</summary>
        public void EvaluateBatchKept() => _model.Forward(_ids, _lengths, _config.Batch, _config.Tokens, training: false);

        public void InferSingle() => _model.Predict(_single, _probabilities);
    }
}
