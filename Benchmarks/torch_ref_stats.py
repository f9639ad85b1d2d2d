# Runs ../shared/bench/torch_ref.py unchanged, in this process (same code, same timing), then prints two figures
# it computes but does not print: the single-sentence p99 from its own sorted latency list, and the process's
# peak resident memory (its training run of the reference configuration dominates it).
# Usage: python3 torch_ref_stats.py path/to/torch_ref.py threads
import resource, runpy, sys
script = sys.argv[1]
sys.argv = [script] + sys.argv[2:]
g = runpy.run_path(script, run_name="__main__")
lat = g["lat"]
print(f"single32_p99_ms={lat[int(len(lat) * 0.99)] * 1e3:.3f}")
print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
