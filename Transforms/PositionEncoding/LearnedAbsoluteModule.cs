using System.Numerics.Tensors;

namespace MLComponents.Numerics;

/// <summary>Embeddings hook of the learned absolute scheme: x[b,t] = tok[b,t] + table[t].</summary>
internal sealed class LearnedAbsoluteModule : PositionModule, IAbsolutePositionSource
{
    private readonly Parameter _table;
    private readonly int _maxPositions, _modelDimension;

    public LearnedAbsoluteModule(LearnedAbsoluteEncoding scheme, int modelDimension, int seed)
    {
        _maxPositions = scheme.MaxPositions;
        _modelDimension = modelDimension;
        _table = new Parameter("position.learned.table", [scheme.MaxPositions, modelDimension], applyWeightDecay: false);
        if (scheme.Init == LearnedInit.Sinusoidal)
            MLComponents.PositionEncoding.Sinusoidal().Encodings(scheme.MaxPositions, modelDimension).CopyTo(_table.Value, 0);
        else
            PositionInit.Normal(new Random(seed), _table.Value, scheme.InitStd);
    }

    public override IReadOnlyList<Parameter> Parameters => [_table];

    public override bool HasEmbeddingHook => true;

    public int EncodingWidth => _modelDimension;

    public float[] Encodings(int length)
    {
        CheckLength(length);
        return _table.Value.AsSpan(0, length * _modelDimension).ToArray();
    }

    public override void ForwardEmbeddings(float[] tok, float[] x, PositionBatch batch, int modelDimension)
    {
        CheckLength(batch.Length);
        int d = CheckDimension(modelDimension);
        for (int b = 0; b < batch.Batch; b++)
        {
            int offset = b * batch.Length * d, n = batch.Length * d;
            TensorPrimitives.Add(new ReadOnlySpan<float>(tok, offset, n), new ReadOnlySpan<float>(_table.Value, 0, n), x.AsSpan(offset, n));
        }
    }

    public override void BackwardEmbeddings(float[] dx, float[] dtok, PositionBatch batch, int modelDimension)
    {
        CheckLength(batch.Length);
        int d = CheckDimension(modelDimension), n = batch.Length * d;
        Array.Copy(dx, dtok, batch.Batch * n);
        // Fixed order over the batch keeps the sum bit-identical from run to run.
        var grad = _table.Grad.AsSpan(0, n);
        for (int b = 0; b < batch.Batch; b++) TensorPrimitives.Add(grad, new ReadOnlySpan<float>(dx, b * n, n), grad);
    }

    private void CheckLength(int length)
    {
        if (length > _maxPositions)
            throw new ArgumentException(
                $"Position {length - 1} is past the learned position table (maxPositions = {_maxPositions}, positions 0..{_maxPositions - 1}); " +
                "truncate the input or train with a larger maxPositions.", "maxPositions");
    }

    private int CheckDimension(int modelDimension) => modelDimension == _modelDimension
        ? modelDimension
        : throw new ArgumentException($"Learned position module was built for model dimension {_modelDimension}, called with {modelDimension}.", nameof(modelDimension));
}
