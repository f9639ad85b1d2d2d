namespace MLComponents.Benchmarks;

/// <summary>The gemm mode: our GEMM against torch at 1024^3 and at every shape the model runs.</summary>
internal static class GemmReport
{
    /// <summary>Measures and prints; <paramref name="torchRef"/> is torch_ref.py's best run (may be null).</summary>
    public static void Run(string? root, PeerRun? torchRef, bool runPeers)
    {
        var shapes = new List<GemmBenchmark.Shape> { GemmBenchmark.Square };
        shapes.AddRange(GemmBenchmark.ModelShapes);

        PeerRun? torchShapes = null;
        if (runPeers)
        {
            string benchmarks = Path.Combine(root ?? Directory.GetCurrentDirectory(), "Benchmarks");
            torchShapes = PeerRun.Run("PyTorch", PeerProcess.Python, [Path.Combine(benchmarks, "torch_gemm_shapes.py")],
                shapes.Select(GemmBenchmark.Spec).ToList(), benchmarks, "torch ", Console.Out);
        }

        Console.WriteLine();
        Console.WriteLine("GEMM, GFLOPS (2mnk / s, best of 5 runs; batched attention shapes are threaded over the batch)");
        var table = new SideBySide(Console.Out, ["PyTorch"]);
        table.Row("1024^3 vs torch_ref.py gemm1024_gflops", null, null, [torchRef?["gemm1024_gflops"]], "GFLOPS");
        for (int i = 0; i < shapes.Count; i++)
        {
            double t1 = GemmBenchmark.Measure(shapes[i], 1);
            double t2 = GemmBenchmark.Measure(shapes[i], 2);
            table.Row(shapes[i].Name, t1, t2, [torchShapes?[$"shape{i}_gflops"]], "GFLOPS");
            if (i == 0 && torchRef?["gemm1024_gflops"] is double peer)
            {
                table.Note($"  => 1024^3: ours {Math.Max(t1, t2):F1} vs torch_ref gemm1024_gflops {peer:F1} = {Math.Max(t1, t2) / peer:F2}x");
            }
        }
    }
}
