#!/usr/bin/python3
"""scikit-learn's DBSCAN on the bench's data, for bench/dbscan-time.ts (side by side).

    /usr/bin/python3 bench/sklearn_dbscan.py DATA.f32 ROWS DIMS EPS MIN_SAMPLES LABELS.i32

DATA.f32 holds the float32 matrix column-major; the fit runs on those values in float64 (as the
oracle does) with scikit-learn's defaults (algorithm='auto': a k-d tree here, n_jobs=None).
Writes labels_ to LABELS.i32 and prints one JSON line: seconds of the fit (best of 2) and the core rows.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN

path, rows, dims, eps, min_samples, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
X = np.ascontiguousarray(np.fromfile(path, dtype=np.float32).reshape(dims, rows).T).astype(np.float64)
best = None
for _ in range(2):
    t = time.perf_counter()
    db = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    s = time.perf_counter() - t
    best = s if best is None else min(best, s)
db.labels_.astype(np.int32).tofile(out)
print(json.dumps({"sklearn": sklearn.__version__, "seconds": best, "core": int(len(db.core_sample_indices_))}))
