namespace MLComponents.UnitTests;

/// <summary>How errors raised inside our row getters reach a caller through ML.NET's cursors.</summary>
internal static class MLNetErrors
{
    /// <summary>
    /// Runs <paramref name="read"/> and returns the <typeparamref name="T"/> it throws. ML.NET reads a view on several
    /// threads when the machine has more than one core; an exception thrown by a row getter on one of its workers reaches
    /// the caller wrapped (once per consolidation level) in an InvalidOperationException "Splitter/consolidator worker
    /// encountered exception while consuming source data". Only that wrapping is looked through.
    /// </summary>
    public static T ThrownByRow<T>(Action read) where T : Exception
    {
        try
        {
            read();
        }
        catch (Exception e)
        {
            var inner = e;
            while (inner is InvalidOperationException { InnerException: { } next } w
                && w.Message.StartsWith("Splitter/consolidator worker encountered exception", StringComparison.Ordinal))
            {
                inner = next;
            }
            if (inner.GetType() == typeof(T)) return (T)inner;
            Assert.Fail($"Expected {typeof(T).Name}, got {e}");
        }
        Assert.Fail($"Expected {typeof(T).Name}, nothing was thrown.");
        return null!;
    }
}
