using MLComponents.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLComponents.TorchSharp;

/// <summary>Where the TorchSharp backend's dropout masks come from.</summary>
public enum DropoutMasks
{
    /// <summary>libtorch's random numbers from a generator seeded with the model seed (fast, on the device; repeatable on CPU).</summary>
    Torch,

    /// <summary>
    /// The managed engine's masks (<see cref="DropoutLayer"/>'s hash of seed, step, site and element), made on the host: both
    /// backends then drop exactly the same elements, which the parity tests use to check dropout's placement.
    /// </summary>
    Engine,
}

/// <summary>
/// Inverted dropout at the engine's three sites per block (0: attention probabilities [B,H,T,T], 1: attention branch
/// output [B,T,D], 2: feed-forward branch output [B,T,D]): y = x * mask / (1 - p).
/// </summary>
internal sealed class DropoutSource : IDisposable
{
    private readonly int _seed;
    private readonly Dictionary<string, Generator> _generators = [];
    private ulong _stepKey;

    public DropoutSource(float probability, int seed, DropoutMasks masks)
    {
        Probability = probability;
        _seed = seed;
        Masks = masks;
    }

    public float Probability { get; }

    public DropoutMasks Masks { get; }

    /// <summary>Selects the masks of training step <paramref name="step"/> (the engine's masks depend on it).</summary>
    public void BeginStep(long step) => _stepKey = DropoutLayer.Key(_seed, step, 0);

    public Tensor Apply(Tensor x, int layer, int site)
    {
        float p = Probability;
        if (p <= 0)
        {
            return x;
        }
        float scale = 1f / (1f - p);
        if (Masks == DropoutMasks.Engine)
        {
            // The engine's SiteKey: step key + (layer * 3 + site + 1) * golden ratio; element index = flat index.
            ulong key = _stepKey + (ulong)(layer * 3 + site + 1) * 0x9E3779B97F4A7C15UL;
            uint threshold = DropoutLayer.Threshold(p);
            var mask = new float[x.numel()];
            for (int i = 0; i < mask.Length; i++)
            {
                mask[i] = DropoutLayer.Keep(key, i, threshold) ? scale : 0f;
            }
            return x * tensor(mask, x.shape, dtype: ScalarType.Float32, device: x.device);
        }
        var keep = rand(x.shape, dtype: ScalarType.Float32, device: x.device, generator: Generator(x.device)).ge_(p);
        return x * keep * scale;
    }

    private Generator Generator(Device device)
    {
        string name = TorchDevices.Name(device);
        if (!_generators.TryGetValue(name, out var g))
        {
            g = new Generator((ulong)(uint)_seed, device);
            _generators[name] = g;
        }
        return g;
    }

    public void Dispose()
    {
        foreach (var g in _generators.Values)
        {
            g.Dispose();
        }
        _generators.Clear();
    }
}
