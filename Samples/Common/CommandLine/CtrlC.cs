namespace MLComponents.Samples.CommandLine;

/// <summary>
/// Turns the first Ctrl+C into a cancellation the trainers honour between steps (so a live progress bar ends cleanly and
/// gives the cursor back), and lets a second Ctrl+C end the process at once.
/// </summary>
public sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    private CtrlC() => Console.CancelKeyPress += OnCancelKeyPress;

    /// <summary>Starts listening.</summary>
    public static CtrlC Listen() => new();

    /// <summary>Cancelled by the first Ctrl+C.</summary>
    public CancellationToken Token => _source.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = !_source.IsCancellationRequested;
        _source.Cancel();
    }
}
