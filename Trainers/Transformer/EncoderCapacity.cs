using System.Globalization;
using MLComponents.Numerics;

namespace MLComponents.Trainers;

/// <summary>
/// What a Transformer encoder of given options needs before it is built: every buffer must fit a .NET array and the whole model,
/// its optimiser state and one batch's activations must fit the memory this process may use. Checked in 64-bit arithmetic
/// before the engine allocates anything, so options past these limits fail with an <see cref="ArgumentException"/> naming them
/// instead of an integer overflow, a buffer of the wrong size or a process the operating system kills.
/// </summary>
/// <remarks>
/// The figures are the encoder's own arithmetic (a batch of <c>BatchSize</c> sequences of <c>MaxTokens</c> ids): attention holds
/// BatchSize x Heads x MaxTokens^2 probabilities per layer, the feed-forward layer BatchSize x MaxTokens x FeedForwardDimension
/// values, the embedding table Vocabulary x ModelDimension weights. The memory estimate is a lower bound (weights, gradients and
/// AdamW's two moments, plus those activations), so a refusal is certain to be right; passing it does not promise the rest fits.
/// </remarks>
public static class EncoderCapacity
{
    /// <summary>Most training threads an encoder trainer accepts.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the options whose sizes cannot be trained.</summary>
    /// <param name="vocabulary">Rows of the token-embedding table.</param>
    /// <param name="modelDimension">ModelDimension.</param>
    /// <param name="feedForward">FeedForwardDimension (resolved, &gt; 0).</param>
    /// <param name="layers">Layers.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="maxTokens">MaxTokens.</param>
    /// <param name="sequencesPerBatch">Sequences one encoder pass holds (BatchSize, or 2 x BatchSize for sentence pairs).</param>
    /// <param name="threads">Threads (resolved, &gt; 0).</param>
    /// <param name="outputs">Width of the head after pooling (classes; 0 for none).</param>
    /// <param name="vocabularyOption">The trainer's name for the vocabulary option.</param>
    /// <param name="availableBytes">Memory the process may use (null: the GC's figure for this process).</param>
    internal static void Check(long vocabulary, int modelDimension, int feedForward, int layers, int heads, int maxTokens, int sequencesPerBatch, int threads,
        int outputs = 0, string vocabularyOption = "VocabularySize", long? availableBytes = null)
    {
        if (threads > MaxThreads) Fail($"Option 'Threads' must be at most {MaxThreads}, got {threads}.", "Threads");
        long d = modelDimension, f = feedForward, t = maxTokens, b = sequencesPerBatch, rows = b * t;
        Fits(vocabulary * d, "the token-embedding table", $"{vocabularyOption} (or the data's largest id) and ModelDimension", vocabularyOption);
        Fits(d * f, "a feed-forward weight", "ModelDimension and FeedForwardDimension", "FeedForwardDimension");
        Fits(t * d, "a position table", "MaxTokens and ModelDimension", "MaxTokens");
        Fits(rows * 3 * d, "the query/key/value activations of a batch", "BatchSize, MaxTokens and ModelDimension", "MaxTokens");
        Fits(rows * f, "the feed-forward activations of a batch", "BatchSize, MaxTokens and FeedForwardDimension", "MaxTokens");
        Fits(b * heads * t * t, "the attention probabilities of a batch", "BatchSize, Heads and MaxTokens", "MaxTokens");
        Fits(2 * d * threads, "the per-thread normalisation scratch", "ModelDimension and Threads", "Threads");

        // Weights, gradients and AdamW's two moments (4 floats each), then one batch's activations per layer (forward and backward).
        double parameters = ((double)vocabulary * d) + (layers * ((4.0 * d * d) + (2.0 * d * f) + (9.0 * d) + f)) + ((double)outputs * d) + ((double)t * d);
        double activations = layers * ((3.0 * b * heads * t * t) + (rows * ((15.0 * d) + (2.0 * f))));
        double bytes = 4 * ((4 * parameters) + activations);
        long available = availableBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
        {
            string need = string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 30):0.#} GiB to train, more than the {available / (double)(1 << 30):0.#} GiB");
            Fail($"Options Layers ({layers}), ModelDimension ({modelDimension}), FeedForwardDimension ({feedForward}), Heads ({heads}), MaxTokens ({maxTokens}), " +
                $"BatchSize ({sequencesPerBatch} sequences per pass) and a vocabulary of {vocabulary} need at least {need} this process may use; " +
                "make the model or its batches smaller.", "options");
        }
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming option 'PositionEncoding' when the scheme cannot be built for the geometry
    /// (RoPE needs a head dimension of at least 2, a learned table at least MaxTokens positions, ...).
    /// </summary>
    internal static void CheckScheme(PositionEncoding scheme, int modelDimension, int heads, int layers, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        // A model must score every sequence it accepts: MaxTokens ids, after truncation.
        if (scheme is LearnedAbsoluteEncoding learned && learned.MaxPositions < maxTokens)
        {
            throw new ArgumentException($"Option 'PositionEncoding' (learned) has a table of {learned.MaxPositions} positions, fewer than MaxTokens ({maxTokens}); " +
                "use PositionEncoding.Learned(maxPositions: MaxTokens) or lower MaxTokens.", "PositionEncoding");
        }
        try
        {
            scheme.CreateModule(new PositionModuleShape(modelDimension, heads, layers, maxTokens), seed: 0);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Option 'PositionEncoding' ({scheme.Kind}) does not fit ModelDimension {modelDimension}, Heads {heads}, MaxTokens {maxTokens}: {e.Message}",
                "PositionEncoding", e);
        }
    }

    private static void Fits(long values, string what, string options, string option)
    {
        if (values > Array.MaxLength)
        {
            string size = string.Create(CultureInfo.InvariantCulture, $"{values:N0} values, more than a .NET array holds ({Array.MaxLength:N0})");
            Fail($"Options {options} make {what} {size}; lower them.", option);
        }
    }

    private static void Fail(string message, string option) => throw new ArgumentException(message, option);
}
