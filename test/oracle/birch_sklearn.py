#!/usr/bin/python3
"""Expected BIRCH results from scikit-learn, for test/birch.test.ts.

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 test/oracle/birch_sklearn.py > test/fixtures/birch-sklearn.json
Each case gives the data (float32 values, row-major), threshold, branching_factor, n_clusters
(null: every subcluster its own cluster) and what Birch returns on those values in float64:
subcluster_centers_, subcluster_labels_ and labels_. The shapes follow scikit-learn's
plot_birch_vs_minibatchkmeans (blobs on a grid) and its Birch docstring example.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import Birch
from sklearn.datasets import make_blobs


def case(name, X, threshold, branching_factor, n_clusters):
    X = np.asarray(X, dtype=np.float32).astype(np.float64)
    b = Birch(threshold=threshold, branching_factor=branching_factor, n_clusters=n_clusters).fit(X)
    return {
        "name": name,
        "rows": int(X.shape[0]),
        "dims": int(X.shape[1]),
        "threshold": threshold,
        "branching_factor": branching_factor,
        "n_clusters": n_clusters,
        "data": [float(v) for v in X.ravel()],
        "subcluster_centers": [float(v) for v in b.subcluster_centers_.ravel()],
        "subcluster_labels": [int(v) for v in b.subcluster_labels_],
        "labels": [int(v) for v in b.labels_],
    }


def main():
    cases = []
    cases.append(case("docstring example", [[0, 1], [0.3, 1], [-0.3, 1], [0, -1], [0.3, -1], [-0.3, -1]], 0.5, 50, None))
    xx = np.linspace(-22, 22, 5)
    centres = np.array([[x, y] for x in xx for y in xx])
    X, _ = make_blobs(n_samples=2000, centers=centres, random_state=0)
    cases.append(case("grid of 25 blobs, n_clusters=None", X, 1.7, 50, None))
    cases.append(case("grid of 25 blobs, Ward to 25", X, 1.0, 20, 25))
    X, _ = make_blobs(n_samples=1500, n_features=2, centers=5, cluster_std=1.5, random_state=3)
    cases.append(case("5 blobs, branching factor 5 (deep tree), Ward to 5", X, 0.5, 5, 5))
    json.dump({"generator": "test/oracle/birch_sklearn.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)


main()
