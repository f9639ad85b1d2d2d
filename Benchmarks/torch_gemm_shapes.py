# PyTorch peer for the model's matrix-product shapes: GFLOPS of torch.matmul at each shape.
# Usage: python3 torch_gemm_shapes.py threads spec [spec ...], spec = ta,tb,m,n,k,batch (ta/tb 0 or 1).
# Prints one line per spec: shape<i>_gflops=<value>. Transposed operands are strided views, as in nn.Linear.
import sys, time, torch
torch.set_num_threads(int(sys.argv[1])); torch.manual_seed(0)
for i, spec in enumerate(sys.argv[2:]):
    ta, tb, m, n, k, batch = (int(x) for x in spec.split(","))
    a = torch.randn(batch, k, m).transpose(-1, -2) if ta else torch.randn(batch, m, k)
    b = torch.randn(batch, n, k).transpose(-1, -2) if tb else torch.randn(batch, k, n)
    if batch == 1:
        a, b = a[0], b[0]
    for _ in range(3): a @ b
    reps, t = 1, time.perf_counter()
    while time.perf_counter() - t < 0.05:
        a @ b; reps += 1
    best = 0.0
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps): a @ b
        best = max(best, 2.0 * m * n * k * batch * reps / (time.perf_counter() - t) / 1e9)
    print(f"shape{i}_gflops={best:.2f}", flush=True)
