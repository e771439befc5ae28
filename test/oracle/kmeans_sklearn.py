#!/usr/bin/python3
"""Expected k-means results from scikit-learn, for test/kmeans-sklearn.test.ts.

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 test/oracle/kmeans_sklearn.py > test/fixtures/kmeans-sklearn.json
Each case gives the data (float32, row-major), the initial centres, and what
KMeans(algorithm='lloyd', n_init=1, init=centres) returns: labels, inertia, n_iter, centres.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def blobs(rng, n, d, k, spread):
    centres = rng.uniform(-10, 10, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return (centres[labels] + spread * rng.standard_normal((n, d))).astype(np.float32)


def case(name, X, init, tol, max_iter=300):
    X = np.asarray(X, dtype=np.float32)
    init = np.asarray(init, dtype=np.float32)
    km = KMeans(n_clusters=len(init), init=init, n_init=1, algorithm="lloyd", tol=tol, max_iter=max_iter)
    km.fit(X)
    return {
        "name": name,
        "rows": int(X.shape[0]),
        "dims": int(X.shape[1]),
        "k": int(len(init)),
        "tol": tol,
        "max_iter": max_iter,
        "data": [float(v) for v in X.ravel()],
        "init": [float(v) for v in init.ravel()],
        "labels": [int(v) for v in km.labels_],
        "inertia": float(km.inertia_),
        "n_iter": int(km.n_iter_),
        "centres": [float(v) for v in km.cluster_centers_.ravel()],
    }


def main():
    rng = np.random.default_rng(20261122)
    cases = []
    X = blobs(rng, 600, 4, 5, 0.5)
    cases.append(case("separated blobs, tol=0", X, X[rng.choice(600, 5, replace=False)], 0.0))
    X = blobs(rng, 2000, 8, 6, 3.0)
    cases.append(case("overlapping blobs, tol=0", X, X[rng.choice(2000, 6, replace=False)], 0.0))
    cases.append(case("overlapping blobs, tol=1e-4", X, X[rng.choice(2000, 6, replace=False)], 1e-4))
    X = blobs(rng, 500, 3, 3, 1.0)
    far = np.array([[100.0, 100.0, 100.0]], dtype=np.float32)
    cases.append(case("an empty cluster re-seeded", X, np.vstack([X[:2], far]), 0.0))
    wholesale = np.genfromtxt("datasets/wholesale-customers.csv", delimiter=",", skip_header=1)[:, 1:]
    cases.append(case("wholesale customers (real), tol=1e-4", wholesale, wholesale[[0, 50, 100, 150, 200]], 1e-4))
    json.dump({"generator": "test/oracle/kmeans_sklearn.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)


main()
