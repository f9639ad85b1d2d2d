namespace MLComponents.Benchmarks;

/// <summary>
/// The peer engines of the model benchmark, each a command that takes a thread count and prints the key=value
/// figures of ../shared/bench/torch_ref.py (train_tokens_per_s, infer_tokens_per_s, single32_p50_ms, and when it
/// can single32_p99_ms and peak_rss_mb): PyTorch (torch_ref.py) and the TorchSharp backend. Each becomes one column
/// of the side-by-side table.
/// </summary>
internal static class ModelPeers
{
    /// <summary>Runs every available peer with 1 and 2 threads; peers that cannot run are logged and left out.</summary>
    public static List<PeerRun> Run(string? root, TextWriter log)
    {
        var peers = new List<PeerRun>();
        string benchmarks = Path.Combine(root ?? Directory.GetCurrentDirectory(), "Benchmarks");

        // PyTorch CPU: torch_ref.py itself, run through torch_ref_stats.py for its p99 and peak memory.
        string script = RepoPaths.TorchScript(root);
        if (!File.Exists(script))
        {
            log.WriteLine($"  PyTorch peer script not found at {script}; its column stays empty.");
        }
        else if (PeerRun.Run("PyTorch", PeerProcess.Python, [Path.Combine(benchmarks, "torch_ref_stats.py"), script], [],
            Path.GetDirectoryName(script)!, "torch ", log) is { } torch)
        {
            peers.Add(torch);
        }

        // TorchSharp: our model in the TorchSharp backend (Trainers/TorchSharp), measured by a child of this process.
        if (TorchSharpPeer.Run(log) is { } torchSharp)
        {
            peers.Add(torchSharp);
        }

        return peers;
    }
}
