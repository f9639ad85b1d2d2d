# Runs ../shared/bench/torch_ref.py unchanged, in this process (same code, same timing), then prints two figures
# it computes but does not print: the single-sentence p99 from its own sorted latency list, and the process's
# peak resident memory (its training run of the reference configuration dominates it).
# It also prints blas_threads: torch.set_num_threads(1) does not reach OpenBLAS's own thread pool, so on Debian's
# pthread OpenBLAS a "1-thread" run still multiplies matrices on every core (gemm1024 ~170 GFLOPS here, against ~88
# with OPENBLAS_NUM_THREADS=1; one core's FMA peak is ~100).
# Usage: python3 torch_ref_stats.py path/to/torch_ref.py threads
import ctypes, resource, runpy, sys
script = sys.argv[1]
sys.argv = [script] + sys.argv[2:]
g = runpy.run_path(script, run_name="__main__")
lat = g["lat"]
print(f"single32_p99_ms={lat[int(len(lat) * 0.99)] * 1e3:.3f}")
print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
try:
    print(f"blas_threads={ctypes.CDLL('libopenblas.so.0').openblas_get_num_threads()}")
except (OSError, AttributeError):
    pass  # not OpenBLAS (MKL, or a wheel with its own BLAS): nothing to report
