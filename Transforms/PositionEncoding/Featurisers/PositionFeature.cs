namespace MLComponents;

/// <summary>
/// What a position featuriser outputs for a row of T token ids (all row-major float vectors of variable length, since
/// T varies from row to row; a row of T = 0 ids gives an empty vector).
/// </summary>
public enum PositionFeature
{
    /// <summary>Absolute per-position vectors [T, w], row t the vector of position t (sinusoidal, learned; none gives zeros).</summary>
    Encodings,

    /// <summary>Rotations [T, 2P]: row t is cos, sin of each of the P rotated pairs at position t (RoPE, xPos with its scale, sinusoidal).</summary>
    Rotations,

    /// <summary>Relative bias [H, T, T] (head, query i, key j) (ALiBi, T5, FIRE, scaled relative).</summary>
    RelativeBias,

    /// <summary>Relative position matrix [T, T] (query i, key j): Shaw's clipped index, T5's bucket, scaled d(i, j), FIRE's u.</summary>
    RelativeDistances,

    /// <summary>The scaled relative scheme's encodings of d(i, j): [T, T, d'].</summary>
    RelativeEncodings,
}
