#!/usr/bin/python3
"""scikit-learn's GaussianMixture on the bench's data, for `gpuseg bench --algorithm gmm --sklearn`.

    /usr/bin/python3 bench/sklearn_gmm.py DATA.f32 ROWS DIMS K ITERATIONS COVARIANCE MEANS.f32

Marginal per-iteration time: (fit of ITERATIONS + 1 EM iterations − fit of 1) / ITERATIONS,
from the same initial means (one-hot responsibilities to the nearest mean), tol=0.
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _estimate_gaussian_parameters

warnings.simplefilter("ignore", ConvergenceWarning)
path, rows, dims, k, iterations, cov, means_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
X = np.ascontiguousarray(np.fromfile(path, dtype=np.float32).reshape(dims, rows).T).astype(np.float64)
means0 = np.fromfile(means_path, dtype=np.float32).reshape(k, dims).astype(np.float64)
labels = ((X[:, None, :] - means0[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
resp = np.zeros((rows, k))
resp[np.arange(rows), labels] = 1
nk, means, covs = _estimate_gaussian_parameters(X, resp, 1e-6, cov)
prec = np.array([np.linalg.inv(c) for c in covs]) if cov == "full" else (np.linalg.inv(covs) if cov == "tied" else 1.0 / covs)


def fit(max_iter):
    best = None
    for _ in range(2):
        gm = GaussianMixture(n_components=k, covariance_type=cov, tol=0, max_iter=max_iter, weights_init=nk / nk.sum(), means_init=means, precisions_init=prec)
        started = time.perf_counter()
        gm.fit(X)
        seconds = time.perf_counter() - started
        if best is None or seconds < best[0]:
            best = (seconds, gm.n_iter_)
    return best


one = fit(1)
many = fit(iterations + 1)
print(json.dumps({"ms_per_iteration": (many[0] - one[0]) * 1000 / max(1, many[1] - one[1]), "seconds": many[0], "iterations": many[1], "sklearn": sklearn.__version__}))
