#!/usr/bin/python3
"""Expected Gaussian-mixture fits from scikit-learn, for test/gmm-sklearn.test.ts.

    /usr/bin/python3 test/oracle/gmm_sklearn.py > test/fixtures/gmm-sklearn.json

Each case starts from given means: responsibilities are one-hot to the nearest mean, and the
initial weights, means and covariances are what they imply (sklearn's own estimator), passed to
GaussianMixture as weights_init, means_init and precisions_init.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _estimate_gaussian_parameters


def blobs(rng, n, d, k, spread):
    centres = rng.uniform(-6, 6, size=(k, d))
    labels = rng.integers(0, k, size=n)
    scale = rng.uniform(0.5, 1.5, size=(k, d)) * spread
    return (centres[labels] + scale[labels] * rng.standard_normal((n, d))).astype(np.float32)


def case(name, X, init_means, cov_type, tol=1e-3, reg=1e-6, max_iter=100):
    X64 = X.astype(np.float64)
    d2 = ((X64[:, None, :] - init_means[None, :, :].astype(np.float64)) ** 2).sum(axis=2)
    resp = np.zeros((len(X), len(init_means)))
    resp[np.arange(len(X)), d2.argmin(axis=1)] = 1
    nk, means, cov = _estimate_gaussian_parameters(X64, resp, reg, cov_type)
    weights = nk / nk.sum()
    if cov_type == "full":
        prec = np.array([np.linalg.inv(c) for c in cov])
    elif cov_type == "tied":
        prec = np.linalg.inv(cov)
    else:
        prec = 1.0 / cov
    gm = GaussianMixture(n_components=len(init_means), covariance_type=cov_type, tol=tol, reg_covar=reg, max_iter=max_iter,
                         weights_init=weights, means_init=means, precisions_init=prec)
    gm.fit(X64)
    return {
        "name": name, "covariance": cov_type, "rows": int(X.shape[0]), "dims": int(X.shape[1]), "k": int(len(init_means)),
        "tol": tol, "reg_covar": reg, "max_iter": max_iter,
        "data": [float(v) for v in X.ravel()], "init_means": [float(v) for v in init_means.ravel()],
        "score": float(gm.score(X64)), "lower_bound": float(gm.lower_bound_), "n_iter": int(gm.n_iter_), "converged": bool(gm.converged_),
        "labels": [int(v) for v in gm.predict(X64)], "weights": [float(v) for v in gm.weights_],
        "bic": float(gm.bic(X64)), "aic": float(gm.aic(X64)),
    }


rng = np.random.default_rng(11)
cases = []
X = blobs(rng, 1200, 3, 3, 0.6)
init = X[rng.choice(len(X), 3, replace=False)]
for t in ("full", "tied", "diag", "spherical"):
    cases.append(case("separated, %s" % t, X, init, t))
Y = blobs(rng, 2000, 4, 4, 2.0)
init = Y[rng.choice(len(Y), 4, replace=False)]
for t in ("full", "tied", "diag", "spherical"):
    cases.append(case("overlapping, %s, tol=1e-5" % t, Y, init, t, tol=1e-5, max_iter=300))
# Each dataset once: the cases refer to it by name.
datasets = {}
for c in cases:
    key = c["name"].split(",")[0]
    datasets[key] = {"data": c.pop("data"), "init_means": c.pop("init_means")}
    c["dataset"] = key
json.dump({"generator": "test/oracle/gmm_sklearn.py", "sklearn": sklearn.__version__, "datasets": datasets, "cases": cases}, sys.stdout)
