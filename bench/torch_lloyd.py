#!/usr/bin/env python3
"""PyTorch's Lloyd iteration on the bench's data, an anchor for `gpuseg bench --torch` (the device check).

One iteration is what gpuseg's Lloyd step does: squared distances in the expanded form
(‖x‖² − 2x·c + ‖c‖², one float32 matrix product, TF32 off), the nearest centre per row, and the
per-cluster sums and counts (index_add_), then the new centres. Timed over ITERATIONS after two
warm-up iterations, with the device synchronised; rows are processed in blocks so that the
distance matrix stays within a few GiB at large K. Also measures the device's plain float32
matrix-product rate (an 8192³ product), the compute peak the device check sets K ≥ 64 against,
and its read bandwidth on X (X.sum(), repeated), a check on gpuseg's read floor.

    python3 bench/torch_lloyd.py DATA.f32 ROWS DIMS K ITERATIONS INIT.f32

DATA.f32 holds the float32 matrix column-major (feature by feature), INIT.f32 the K×D initial
centres. Prints one JSON line; exits 3 with a one-line reason when there is no CUDA device.
"""
import json
import sys
import time

import numpy as np

try:
    import torch
except ImportError as error:
    print(f"PyTorch is not installed ({error})", file=sys.stderr)
    sys.exit(3)

if not torch.cuda.is_available():
    print("PyTorch finds no CUDA device", file=sys.stderr)
    sys.exit(3)

path, rows, dims, k, iterations, init_path = (
    sys.argv[1],
    int(sys.argv[2]),
    int(sys.argv[3]),
    int(sys.argv[4]),
    int(sys.argv[5]),
    sys.argv[6],
)
torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device("cuda")
X = torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(dims, rows)).to(dev).t().contiguous()
C = torch.from_numpy(np.fromfile(init_path, dtype=np.float32).reshape(k, dims)).to(dev)
x_sq = (X * X).sum(1)
block = max(1 << 16, min(rows, (1 << 29) // max(1, k)))


def step(C):
    sums = torch.zeros_like(C)
    counts = torch.zeros(k, device=dev, dtype=torch.float32)
    c_sq = (C * C).sum(1)
    for s in range(0, rows, block):
        xb = X[s : s + block]
        d = x_sq[s : s + block, None] - 2.0 * (xb @ C.t()) + c_sq[None, :]
        labels = d.argmin(1)
        sums.index_add_(0, labels, xb)
        counts.index_add_(0, labels, torch.ones_like(labels, dtype=torch.float32))
    return torch.where(counts[:, None] > 0, sums / counts.clamp(min=1)[:, None], C)


for _ in range(2):
    C2 = step(C)
torch.cuda.synchronize()
started = time.perf_counter()
for _ in range(iterations):
    C = step(C)
torch.cuda.synchronize()
ms = (time.perf_counter() - started) * 1000 / iterations


def fp32_peak():
    n = 8192
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    a @ b
    torch.cuda.synchronize()
    started = time.perf_counter()
    reps = 10
    for _ in range(reps):
        a @ b
    torch.cuda.synchronize()
    return 2 * n**3 * reps / (time.perf_counter() - started) / 1e12


def read_gbps():
    X.sum()
    torch.cuda.synchronize()
    reps = 20
    started = time.perf_counter()
    for _ in range(reps):
        X.sum()
    torch.cuda.synchronize()
    return X.numel() * 4 * reps / (time.perf_counter() - started) / 1e9


print(
    json.dumps(
        {
            "ms_per_iteration": ms,
            "fp32_tflops": fp32_peak(),
            "read_gbps": read_gbps(),
            "device": torch.cuda.get_device_name(0),
            "torch": torch.__version__,
        }
    )
)
