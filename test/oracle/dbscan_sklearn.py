#!/usr/bin/python3
"""Expected DBSCAN labels from scikit-learn, for test/dbscan.test.ts.

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 test/oracle/dbscan_sklearn.py > test/fixtures/dbscan-sklearn.json
Each case gives the data (float32 values, row-major), eps, min_samples and what
DBSCAN(eps, min_samples).fit(X) returns on those values in float64: labels_ and core_sample_indices_.
The shapes are scikit-learn's own DBSCAN example (plot_dbscan: three blobs, standardised), its
clustering comparison's moons, and uniform noise around two blobs.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_blobs, make_moons
from sklearn.preprocessing import StandardScaler


def case(name, X, eps, min_samples):
    X = np.asarray(X, dtype=np.float32).astype(np.float64)
    db = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    return {
        "name": name,
        "rows": int(X.shape[0]),
        "dims": int(X.shape[1]),
        "eps": eps,
        "min_samples": min_samples,
        "data": [float(v) for v in X.ravel()],
        "labels": [int(v) for v in db.labels_],
        "core": [int(v) for v in db.core_sample_indices_],
    }


def main():
    cases = []
    X, _ = make_blobs(n_samples=750, centers=[[1, 1], [-1, -1], [1, -1]], cluster_std=0.4, random_state=0)
    cases.append(case("plot_dbscan blobs (standardised)", StandardScaler().fit_transform(X), 0.3, 10))
    X, _ = make_moons(n_samples=500, noise=0.1, random_state=0)
    cases.append(case("moons", StandardScaler().fit_transform(X), 0.2, 8))
    rng = np.random.default_rng(20261130)
    noise = rng.uniform(-3, 3, size=(300, 3))
    blobs, _ = make_blobs(n_samples=500, n_features=3, centers=2, cluster_std=0.5, random_state=1)
    cases.append(case("two blobs in uniform noise, 3-D", np.vstack([blobs, noise]), 0.5, 6))
    X, _ = make_blobs(n_samples=400, n_features=8, centers=4, cluster_std=1.0, random_state=2)
    cases.append(case("four blobs, 8-D", X, 2.6, 10))
    json.dump({"generator": "test/oracle/dbscan_sklearn.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)


main()
