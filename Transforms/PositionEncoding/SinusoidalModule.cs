namespace MLComponents.Numerics;

/// <summary>
/// Embeddings hook of the fixed sinusoidal scheme: adds the table (Add) or writes it after the token embedding
/// (Concat, x[b,t] = [tok[b,t], pe[t]]). No parameters; the table grows to the longest length seen.
/// </summary>
internal sealed class SinusoidalModule : PositionModule, IAbsolutePositionSource
{
    private readonly SinusoidalEncoding _scheme;
    private readonly int _modelDimension;
    private float[] _table;
    private int _capacity;

    public SinusoidalModule(SinusoidalEncoding scheme, PositionModuleShape shape)
    {
        _scheme = scheme;
        _modelDimension = shape.ModelDimension;
        EncodingWidth = scheme.EncodingWidth(shape.ModelDimension);
        _capacity = Math.Max(1, shape.MaxTokens);
        _table = scheme.Encodings(_capacity, shape.ModelDimension);
    }

    public int EncodingWidth { get; }

    public override bool HasEmbeddingHook => true;

    public override int TokenEmbeddingWidth(int modelDimension) =>
        _scheme.Combine == PositionCombine.Add ? modelDimension : modelDimension - EncodingWidth;

    public float[] Encodings(int length) => _scheme.Encodings(length, _modelDimension);

    public override void ForwardEmbeddings(float[] tok, float[] x, PositionBatch batch, int modelDimension)
    {
        CheckDimension(modelDimension);
        if (batch.Length > _capacity)
        {
            _table = _scheme.Encodings(batch.Length, modelDimension);
            _capacity = batch.Length;
        }
        int w = EncodingWidth, dt = TokenEmbeddingWidth(modelDimension), d = modelDimension;
        for (int b = 0; b < batch.Batch; b++)
            for (int t = 0; t < batch.Length; t++)
            {
                int row = (b * batch.Length) + t;
                var pe = new ReadOnlySpan<float>(_table, t * w, w);
                if (_scheme.Combine == PositionCombine.Add)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<float>(tok, row * d, d), pe, x.AsSpan(row * d, d));
                }
                else
                {
                    Array.Copy(tok, row * dt, x, row * d, dt);
                    pe.CopyTo(x.AsSpan((row * d) + dt, w));
                }
            }
    }

    public override void BackwardEmbeddings(float[] dx, float[] dtok, PositionBatch batch, int modelDimension)
    {
        CheckDimension(modelDimension);
        int dt = TokenEmbeddingWidth(modelDimension), rows = batch.Batch * batch.Length;
        if (dt == modelDimension)
        {
            Array.Copy(dx, dtok, rows * modelDimension);
            return;
        }
        for (int row = 0; row < rows; row++) Array.Copy(dx, row * modelDimension, dtok, row * dt, dt);
    }

    private void CheckDimension(int modelDimension)
    {
        if (modelDimension != _modelDimension)
            throw new ArgumentException($"Sinusoidal module was built for model dimension {_modelDimension}, called with {modelDimension}.", nameof(modelDimension));
    }
}
