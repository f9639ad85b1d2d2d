using MLComponents.Benchmarks;

string mode = args.Length > 0 ? args[0] : "all";
if (mode == "kernel") { Console.WriteLine($"kernel peak {KernelProbe.Measure():F1}"); return; }
foreach (int t in new[] { 1, 2 })
{
    Console.WriteLine($"{GemmBenchmark.Square.Name} t{t}: {GemmBenchmark.Measure(GemmBenchmark.Square, t):F1}");
    foreach (var s in GemmBenchmark.ModelShapes)
        Console.WriteLine($"{s.Name} t{t}: {GemmBenchmark.Measure(s, t):F1}");
}
