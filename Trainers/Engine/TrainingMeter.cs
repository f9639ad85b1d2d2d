using System.Diagnostics;

namespace MLComponents.Engine;

/// <summary>
/// Loss and throughput since the last report, shared by the trainers' epoch loops: the mean training loss and
/// real (non-padding) tokens per second of wall time.
/// </summary>
internal sealed class TrainingMeter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lossSum;
    private int _lossCount;
    private long _tokens;

    /// <summary>Counts one step's loss and its sequences' real lengths.</summary>
    public void Record(double loss, ReadOnlySpan<int> lengths)
    {
        _lossSum += loss;
        _lossCount++;
        foreach (int len in lengths)
        {
            _tokens += len;
        }
    }

    /// <summary>Mean loss since the last reset (NaN when no step was recorded).</summary>
    public double MeanLoss => _lossCount > 0 ? _lossSum / _lossCount : double.NaN;

    /// <summary>Real tokens per second since the last reset.</summary>
    public double TokensPerSecond => _tokens / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);

    /// <summary>Starts a new reporting window.</summary>
    public void Reset()
    {
        _lossSum = 0;
        _lossCount = 0;
        _tokens = 0;
        _clock.Restart();
    }
}
