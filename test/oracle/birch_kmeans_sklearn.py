#!/usr/bin/python3
"""Expected results of BIRCH's k-means global step, from scikit-learn, for test/birch-global.test.ts.

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 test/oracle/birch_kmeans_sklearn.py > test/fixtures/birch-kmeans-sklearn.json
gpuseg's `--birch-global kmeans` runs k-means on the CF-tree's leaf subclusters with each centroid
weighted by its rows. scikit-learn's Birch(n_clusters=KMeans(...)) fits its KMeans on the
centroids without weights, so the comparison is with KMeans itself: the subclusters of scikit-learn's
Birch (centroids and rows, leaf by leaf as subcluster_centers_ lists them), fed to
KMeans(init=<the same k centroids>, n_init=1, tol=0).fit(centroids, sample_weight=rows) and, for
contrast, without the weights. tol=0 runs Lloyd until no label changes.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import Birch, KMeans
from sklearn.datasets import make_blobs


def case(name, X, threshold, branching_factor, k, seed):
    X = np.asarray(X, dtype=np.float32).astype(np.float64)
    b = Birch(threshold=threshold, branching_factor=branching_factor, n_clusters=None).fit(X)
    centres = b.subcluster_centers_
    counts = np.concatenate([[sc.n_samples_ for sc in leaf.subclusters_] for leaf in b._get_leaves()])
    assert len(counts) == len(centres)
    init_rows = np.random.RandomState(seed).choice(len(centres), k, replace=False)
    init = centres[init_rows]
    fits = {}
    for key, weights in (("weighted", counts), ("unweighted", None)):
        km = KMeans(n_clusters=k, init=init, n_init=1, tol=0, max_iter=300, algorithm="lloyd")
        km.fit(centres, sample_weight=weights)
        fits[key] = {
            "labels": [int(v) for v in km.labels_],
            "centres": [float(v) for v in km.cluster_centers_.ravel()],
            "inertia": float(km.inertia_),
        }
    return {
        "name": name,
        "rows": int(X.shape[0]),
        "dims": int(X.shape[1]),
        "threshold": threshold,
        "branching_factor": branching_factor,
        "k": k,
        "data": [float(v) for v in X.ravel()],
        "subcluster_centers": [float(v) for v in centres.ravel()],
        "subcluster_rows": [int(v) for v in counts],
        "init_rows": [int(v) for v in init_rows],
        **fits,
    }


def main():
    cases = []
    X, _ = make_blobs(n_samples=1500, n_features=2, centers=5, cluster_std=1.5, random_state=3)
    cases.append(case("5 blobs, threshold 0.5, k-means to 5", X, 0.5, 5, 5, 0))
    # Uneven blobs: a dense blob's many rows sit in few subclusters, so weights move the centres.
    X, _ = make_blobs(n_samples=[1200, 150, 150], n_features=3, cluster_std=[0.4, 2.0, 2.0], random_state=7)
    cases.append(case("uneven blobs in 3-D, threshold 0.6, k-means to 3", X, 0.6, 20, 3, 1))
    json.dump({"generator": "test/oracle/birch_kmeans_sklearn.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)


main()
