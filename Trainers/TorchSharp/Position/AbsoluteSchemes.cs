using TorchSharp;
using static TorchSharp.torch;
using ManagedParameter = MLComponents.Numerics.Parameter;

namespace MLComponents.TorchSharp.Position;

/// <summary>No position information: every hook is the identity.</summary>
internal sealed class TorchNoPosition() : TorchPositionScheme([]);

/// <summary>
/// Fixed sinusoidal table at the embeddings hook: added to the token embedding, or written after it (Concat). The table
/// is the scheme's own <see cref="SinusoidalEncoding.Encodings"/>, so both backends add the same floats.
/// </summary>
internal sealed class TorchSinusoidal : TorchPositionScheme
{
    private readonly SinusoidalEncoding _scheme;
    private readonly int _modelDimension, _width;

    public TorchSinusoidal(SinusoidalEncoding scheme, int modelDimension) : base([])
    {
        _scheme = scheme;
        _modelDimension = modelDimension;
        _width = scheme.EncodingWidth(modelDimension);
    }

    public override int TokenEmbeddingWidth(int modelDimension) =>
        _scheme.Combine == PositionCombine.Add ? modelDimension : modelDimension - _width;

    public override Tensor Embed(Tensor tokens, TorchBatch batch)
    {
        int t = batch.Length;
        var table = Cached($"sinusoidal/{t}", batch.Device, () => tensor(_scheme.Encodings(t, _modelDimension), [t, _width]));
        if (_scheme.Combine == PositionCombine.Add)
        {
            Checked.Shape(tokens, "sinusoidal add", batch.Batch, t, _width);
            return tokens + table;
        }
        Checked.Shape(tokens, "sinusoidal concat", batch.Batch, t, _modelDimension - _width);
        return cat([tokens, table.unsqueeze(0).expand(batch.Batch, t, _width)], -1);
    }
}

/// <summary>
/// The scaled scheme's embedding form: x[b,t] = tok[b,t] + P[t | N_b], P = p_i + PE(2i/N) on real rows and p_i on padded ones.
/// The per-(T, N) tables are the scheme's own <see cref="ScaledRelativeEncoding.Embeddings"/>, so both backends add the same floats.
/// </summary>
internal sealed class TorchScaledEmbedding(ScaledRelativeEncoding scheme, int modelDimension) : TorchPositionScheme([])
{
    public override Tensor Embed(Tensor tokens, TorchBatch batch)
    {
        int t = batch.Length, d = modelDimension;
        Checked.Shape(tokens, "scaled embedding", batch.Batch, t, d);
        var tables = new Tensor[batch.Batch];
        for (int b = 0; b < batch.Batch; b++)
        {
            int n = batch.Lengths[b];
            tables[b] = Cached($"scaled-embedding/{t}/{n}", batch.Device, () => tensor(scheme.Embeddings(t, n, d), [t, d]));
        }
        return tokens + stack(tables);
    }
}

/// <summary>Learned absolute table "position.learned.table" [P, D] added at the embeddings hook.</summary>
internal sealed class TorchLearnedAbsolute : TorchPositionScheme
{
    private readonly int _maxPositions;

    public TorchLearnedAbsolute(LearnedAbsoluteEncoding scheme, IReadOnlyList<ManagedParameter> parameters) : base(parameters) =>
        _maxPositions = scheme.MaxPositions;

    public override Tensor Embed(Tensor tokens, TorchBatch batch)
    {
        if (batch.Length > _maxPositions)
        {
            throw new ArgumentException(
                $"Position {batch.Length - 1} is past the learned position table (maxPositions = {_maxPositions}, positions 0..{_maxPositions - 1}); " +
                "truncate the input or train with a larger maxPositions.", "maxPositions");
        }
        var table = Learned("position.learned.table");
        Checked.Shape(tokens, "learned positions", batch.Batch, batch.Length, table.shape[1]);
        return tokens + table.narrow(0, 0, batch.Length);
    }
}
