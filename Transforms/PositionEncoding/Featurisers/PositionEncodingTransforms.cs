using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLComponents.MLNet;

namespace MLComponents;

/// <summary>Adds <c>ml.Transforms.PositionEncoding</c> to ML.NET's transforms catalog.</summary>
public static class PositionEncodingCatalog
{
    extension(TransformsCatalog catalog)
    {
        /// <summary>Position-encoding featurisers (see <see cref="PositionEncodingTransforms"/>).</summary>
        public PositionEncodingTransforms PositionEncoding => new(CatalogEnvironment.Of(catalog));
    }
}

/// <summary>
/// Position-encoding featurisers on <c>ml.Transforms.PositionEncoding</c>. All read a token-id column (vector of Int32,
/// as TokenizeToIds writes) and write row-major float vectors whose length varies with the row's T ids. A row needing more than
/// <see cref="FeaturiserLimits.MaxValuesPerRow"/> values (e.g. RelativeBias of thousands of ids) throws an
/// <see cref="InvalidDataException"/> naming the column, row and token count before any work is done.
/// </summary>
public sealed class PositionEncodingTransforms
{
    private readonly IHostEnvironment _env;

    internal PositionEncodingTransforms(IHostEnvironment env) => _env = env;

    /// <summary>
    /// The absolute per-position vectors of <paramref name="scheme"/>: [T, w] row-major, row t the vector of position t
    /// (sinusoidal: its table at width <paramref name="dimension"/>, w = D with combine Add or its concat width; learned: the
    /// seeded initial table rows, w = D; none: zeros, w = D). The column's "RowWidth" annotation holds w, so Pool accepts it.
    /// </summary>
    /// <param name="outputColumnName">The float vector column produced.</param>
    /// <param name="inputColumnName">The token-id column.</param>
    /// <param name="scheme">An absolute scheme.</param>
    /// <param name="dimension">Model dimension D (even, at most <see cref="FeaturiserLimits.MaxDimension"/>).</param>
    /// <param name="seed">Seed of a learned scheme's initial values; null draws one from the context.</param>
    public PositionFeaturiserEstimator Encodings(string outputColumnName,
        string inputColumnName, PositionEncoding scheme, int dimension = 64, int? seed = null) =>
        Featurise(outputColumnName, inputColumnName, scheme, PositionFeature.Encodings, dimension, 1, seed);

    /// <summary>
    /// The rotation of every position: [T, 2P] row-major, row t = cos a, sin a of each of the P pairs (a = the scheme's angle
    /// at position t; xPos multiplies both by its query scale for a sequence of length T). RoPE/xPos use head dimension
    /// <paramref name="dimension"/>; sinusoidal (combine Add) turns pair m by its table's angle t omega_m.
    /// </summary>
    /// <param name="outputColumnName">The float vector column produced.</param>
    /// <param name="inputColumnName">The token-id column.</param>
    /// <param name="scheme">rope, xpos or sinusoidal (Add).</param>
    /// <param name="dimension">Vector (head) dimension D (even, at most <see cref="FeaturiserLimits.MaxDimension"/>).</param>
    public PositionFeaturiserEstimator Rotations(string outputColumnName,
        string inputColumnName, PositionEncoding scheme, int dimension = 64) =>
        Featurise(outputColumnName, inputColumnName, scheme, PositionFeature.Rotations, dimension, 1, 0);

    /// <summary>
    /// The relative attention bias [H, T, T] row-major (head h, query i, key j) that the scheme adds to the logits of a
    /// sequence of T tokens (ALiBi with its fixed or initial slopes; T5, FIRE and scaled with their seeded initial weights,
    /// saved with the model).
    /// </summary>
    /// <param name="outputColumnName">The float vector column produced.</param>
    /// <param name="inputColumnName">The token-id column.</param>
    /// <param name="scheme">alibi, t5, fire or scaled.</param>
    /// <param name="heads">Number of heads H, in [1, <see cref="FeaturiserLimits.MaxHeads"/>].</param>
    /// <param name="seed">Seed of the learned schemes' initial values; null draws one from the context.</param>
    public PositionFeaturiserEstimator RelativeBias(string outputColumnName,
        string inputColumnName, PositionEncoding scheme, int heads = 1, int? seed = null)
    {
        if (heads < 1 || heads > FeaturiserLimits.MaxHeads)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"Option 'heads' must be in [1, {FeaturiserLimits.MaxHeads}], got {heads}.");
        return Featurise(outputColumnName, inputColumnName, scheme, PositionFeature.RelativeBias, 64 * heads, heads, seed);
    }

    /// <summary>
    /// The scheme's relative position matrix [T, T] row-major (query i, key j): Shaw's clipped index clip(j - i) + k,
    /// T5's bucket of j - i, the scaled scheme's d(i, j) = |i - j| + (i + j)/T, FIRE's normalised distance u(i, j)
    /// (with its initial c and threshold).
    /// </summary>
    /// <param name="outputColumnName">The float vector column produced.</param>
    /// <param name="inputColumnName">The token-id column.</param>
    /// <param name="scheme">shaw, t5, scaled or fire.</param>
    public PositionFeaturiserEstimator RelativeDistances(string outputColumnName,
        string inputColumnName, PositionEncoding scheme) =>
        Featurise(outputColumnName, inputColumnName, scheme, PositionFeature.RelativeDistances, 64, 1, 0);

    /// <summary>The scaled relative scheme's sinusoidal encodings of d(i, j): [T, T, d'] row-major.</summary>
    /// <param name="outputColumnName">The float vector column produced.</param>
    /// <param name="inputColumnName">The token-id column.</param>
    /// <param name="scheme">A scaled relative scheme.</param>
    public PositionFeaturiserEstimator RelativeEncodings(string outputColumnName,
        string inputColumnName, PositionEncoding scheme) =>
        Featurise(outputColumnName, inputColumnName, scheme, PositionFeature.RelativeEncodings, 64, 1, 0);

    /// <summary>
    /// Embeds each token id with a seeded hashing projection (<see cref="HashedTokenEmbedding"/>: D standard-normal values
    /// per id, derived from (seed, id), nothing stored but the seed) and joins it with the scheme's encoding of its position
    /// (<see cref="EmbedCombine"/>). Output [T, W] row-major, W = D (D + w for Concat) in the "RowWidth" annotation; follow
    /// it with <see cref="Pool"/>. With <c>PositionEncoding.None()</c> the rows are the token vectors alone (a bag of words
    /// after pooling). Learned schemes use their seeded initial values (saved with the model).
    /// </summary>
    /// <param name="outputColumnName">The float vector column produced.</param>
    /// <param name="inputColumnName">The token-id column.</param>
    /// <param name="scheme">none, sinusoidal, learned, rope or xpos.</param>
    /// <param name="dimension">Token vector width D (even, at most <see cref="FeaturiserLimits.MaxDimension"/>).</param>
    /// <param name="combine">Add, Concat or Rotate; null picks Rotate for schemes that rotate (rope, xpos, sinusoidal with
    /// Add), else Add. Only Rotate keeps word order through mean pooling (see <see cref="EmbedCombine"/>).</param>
    /// <param name="seed">Seed of the projection (and of a learned scheme); null draws one from the context.</param>
    public EmbedTokensEstimator EmbedTokens(string outputColumnName,
        string inputColumnName, PositionEncoding scheme, int dimension = 64, EmbedCombine? combine = null, int? seed = null)
    {
        var source = new PositionSource(scheme, dimension, 1, CatalogEnvironment.NextSeed(_env, seed));
        return new EmbedTokensEstimator(new EmbedTokensTransformer(_env, outputColumnName, inputColumnName, source, combine));
    }

    /// <summary>
    /// Pools a [T, W] column (EmbedTokens' output) into a fixed-size vector of W: the mean, the per-dimension max or the
    /// first row. A row with no tokens gives zeros.
    /// </summary>
    /// <param name="outputColumnName">The fixed-size float vector column produced.</param>
    /// <param name="inputColumnName">The [T, W] column (needs its "RowWidth" annotation).</param>
    /// <param name="mode">Mean (default), Max or First.</param>
    public PoolEstimator Pool(string outputColumnName,
        string inputColumnName, PoolMode mode = PoolMode.Mean)
    {
        return new PoolEstimator(new PoolTransformer(_env, outputColumnName, inputColumnName, mode));
    }

    private PositionFeaturiserEstimator Featurise(string output, string input, PositionEncoding scheme, PositionFeature feature, int dimension,
        int heads, int? seed)
    {
        var source = new PositionSource(scheme, dimension, heads, CatalogEnvironment.NextSeed(_env, seed));
        return new PositionFeaturiserEstimator(new PositionFeaturiserTransformer(_env, output, input, feature, source));
    }
}
