using System.Globalization;
using Spectre.Console;

namespace MLComponents.Samples.Progress;

/// <summary>One training progress report, whichever trainer sent it.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs of the whole run.</param>
/// <param name="Step">Optimiser steps so far.</param>
/// <param name="TotalSteps">Steps of the whole run if it does not stop early.</param>
/// <param name="Loss">Mean training loss since the previous report.</param>
/// <param name="TokensPerSecond">Training throughput since the previous report.</param>
/// <param name="EpochEnd">True at an epoch's end.</param>
/// <param name="Details">More of the epoch's end line (validation metrics, truncation), starting with a space, or empty.</param>
public sealed record TrainingReport(int Epoch, int Epochs, long Step, long TotalSteps, double Loss, double TokensPerSecond, bool EpochEnd, string Details)
{
    /// <summary>The plain line printed at an epoch's end.</summary>
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"epoch {Epoch}/{Epochs} step {Step}/{TotalSteps} loss={Loss:0.0000} tokens/s={TokensPerSecond:0}{Details}");
}

/// <summary>
/// Shows training progress: a live Spectre.Console progress bar on an interactive terminal (each epoch's line printed above
/// it), or one plain line per epoch when the output is a file, a pipe or a test's writer.
/// </summary>
public sealed class TrainingDisplay
{
    private readonly TextWriter? _plain;
    private readonly IAnsiConsole? _live;

    private TrainingDisplay(TextWriter? plain, IAnsiConsole? live)
    {
        _plain = plain;
        _live = live;
    }

    /// <summary>Plain per-epoch lines to <paramref name="output"/>.</summary>
    public static TrainingDisplay Plain(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new TrainingDisplay(output, null);
    }

    /// <summary>A live progress bar on <paramref name="console"/>.</summary>
    public static TrainingDisplay Live(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return new TrainingDisplay(null, console);
    }

    /// <summary>Live on <paramref name="terminal"/> when there is one, else plain lines to <paramref name="output"/>.</summary>
    public static TrainingDisplay For(IAnsiConsole? terminal, TextWriter output) => terminal is null ? Plain(output) : Live(terminal);

    /// <summary>
    /// Spectre's console when standard output is an interactive terminal that takes cursor movement (not redirected, not CI,
    /// ANSI capable), else null: the Program.cs of each sample passes this to its app.
    /// </summary>
    public static IAnsiConsole? InteractiveTerminal()
    {
        if (Console.IsOutputRedirected) return null;
        var capabilities = AnsiConsole.Profile.Capabilities;
        return capabilities.Interactive && capabilities.Ansi ? AnsiConsole.Console : null;
    }

    /// <summary>True when the display is a live bar (report often: the bar moves with every report).</summary>
    public bool IsLive => _live is not null;

    /// <summary>Runs <paramref name="train"/>, showing the reports it sends to the progress it is given.</summary>
    public T Run<T>(string title, Func<IProgress<TrainingReport>, T> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (_live is null) return train(new Reporter(r => { if (r.EpochEnd) _plain!.WriteLine(r.Line()); }));
        var console = _live;
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), autoStart: true, maxValue: 1);
                var result = train(new Reporter(r =>
                {
                    task.MaxValue = Math.Max(1, r.TotalSteps);
                    task.Value = Math.Min(r.Step, task.MaxValue);
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{title}: epoch {r.Epoch}/{r.Epochs} loss {r.Loss:0.0000} {r.TokensPerSecond:0} tokens/s"));
                    // Written through the console while the bar is live, the line lands above the bar.
                    if (r.EpochEnd) console.WriteLine(r.Line());
                }));
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }

    /// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class Reporter(Action<TrainingReport> report) : IProgress<TrainingReport>
    {
        public void Report(TrainingReport value) => report(value);
    }
}
