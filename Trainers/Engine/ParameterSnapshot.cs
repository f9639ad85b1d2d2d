using MLComponents.Numerics;

namespace MLComponents.Engine;

/// <summary>A copy of parameter values, for keeping the best epoch's weights during early stopping.</summary>
internal sealed class ParameterSnapshot
{
    private float[][]? _values;

    /// <summary>True once something was captured.</summary>
    public bool HasValue => _values is not null;

    /// <summary>Copies the current values (buffers are allocated once).</summary>
    public void Capture(IReadOnlyList<Parameter> parameters)
    {
        _values ??= [.. parameters.Select(p => new float[p.Length])];
        for (int i = 0; i < _values.Length; i++)
        {
            parameters[i].Value.CopyTo(_values[i], 0);
        }
    }

    /// <summary>Writes the captured values back (no-op when nothing was captured).</summary>
    public void Restore(IReadOnlyList<Parameter> parameters)
    {
        if (_values is null)
        {
            return;
        }
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i].CopyTo(parameters[i].Value, 0);
        }
    }
}
