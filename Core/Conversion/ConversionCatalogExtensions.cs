namespace MLComponents;

/// <summary>Key conversions on <c>ml.Transforms.Conversion</c>.</summary>
public static class ConversionCatalogExtensions
{
    /// <summary>
    /// Maps the values of <paramref name="inputColumnName"/> (text, number or boolean; scalar or vector) to keys
    /// 1..N in <paramref name="outputColumnName"/>; unseen values map to 0 (missing).
    /// </summary>
    /// <param name="catalog">The conversion catalog.</param>
    /// <param name="outputColumnName">The key column produced.</param>
    /// <param name="inputColumnName">The value column; null means the same as the output (replace in place).</param>
    /// <param name="maximumNumberOfKeys">At most this many distinct values are learned; later ones map to 0.</param>
    /// <param name="keyOrdinality">Key numbering: by first occurrence or by sorted value.</param>
    /// <param name="addKeyValueAnnotationsAsText">True to store the KeyValues annotation as text whatever the value type.</param>
    public static ValueToKeyMappingEstimator MapValueToKey(this TransformsCatalog.ConversionTransforms catalog,
        string outputColumnName, string? inputColumnName = null, int maximumNumberOfKeys = 1_000_000,
        ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence,
        bool addKeyValueAnnotationsAsText = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ValueToKeyMappingEstimator(outputColumnName, inputColumnName, maximumNumberOfKeys, keyOrdinality, addKeyValueAnnotationsAsText);
    }

    /// <summary>Maps the keys of <paramref name="inputColumnName"/> back to their values (from the KeyValues annotation).</summary>
    /// <param name="catalog">The conversion catalog.</param>
    /// <param name="outputColumnName">The value column produced.</param>
    /// <param name="inputColumnName">The key column; null means the same as the output.</param>
    public static KeyToValueMappingEstimator MapKeyToValue(this TransformsCatalog.ConversionTransforms catalog,
        string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KeyToValueMappingEstimator(outputColumnName, inputColumnName);
    }
}
