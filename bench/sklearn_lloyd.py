#!/usr/bin/python3
"""scikit-learn's Lloyd k-means on the bench's data, for a side-by-side figure in `gpuseg bench --sklearn`.

The per-iteration figure is marginal: (time of a fit of ITERATIONS + 1 iterations − time of a
1-iteration fit) / ITERATIONS, so that scikit-learn's fixed costs (validation, centring the data,
row norms) do not count against it; the whole fit's seconds are printed too.

    /usr/bin/python3 bench/sklearn_lloyd.py DATA.f32 ROWS DIMS K ITERATIONS INIT.f32 [lloyd|elkan]

DATA.f32 holds the float32 matrix column-major (feature by feature), INIT.f32 the K×D initial
centres. Prints one JSON line: ms per iteration and the whole fit's seconds.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans

path, rows, dims, k, iterations, init_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
X = np.ascontiguousarray(np.fromfile(path, dtype=np.float32).reshape(dims, rows).T)
init = np.fromfile(init_path, dtype=np.float32).reshape(k, dims)


algorithm = sys.argv[7] if len(sys.argv) > 7 else "lloyd"


def fit(max_iter):
    best = None
    for _ in range(2):  # the first run warms the thread pool
        started = time.perf_counter()
        km = KMeans(n_clusters=k, init=init, n_init=1, max_iter=max_iter, tol=0, algorithm=algorithm).fit(X)
        seconds = time.perf_counter() - started
        if best is None or seconds < best[0]:
            best = (seconds, km.n_iter_)
    return best


one = fit(1)
many = fit(iterations + 1)
per = (many[0] - one[0]) * 1000 / max(1, many[1] - one[1])
print(json.dumps({"ms_per_iteration": per, "seconds": many[0], "iterations": many[1], "sklearn": sklearn.__version__}))
