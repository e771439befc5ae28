#!/usr/bin/python3
"""Expected bisecting k-means results from scikit-learn, for test/bisecting-sklearn.test.ts.

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 test/oracle/bisecting_sklearn.py > test/fixtures/bisecting-sklearn.json

scikit-learn's BisectingKMeans draws each bisection's two starting rows from its own random
state. RecordingBisectingKMeans is the same estimator with one change: its _init_centroids draws
them from the cluster's rows as 'random' does and records their indices in the whole data
(the bisection's cluster_to_bisect.indices). The test feeds gpuseg those same rows as the starting
centres of the same bisection, so both run the same 2-means from the same start; expected are
the labels, inertia, leaf centres and the tree (each split's node and halves), and predict's labels
on fresh rows (predict descends the tree).
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import BisectingKMeans


class RecordingBisectingKMeans(BisectingKMeans):
    def _bisect(self, X, x_squared_norms, sample_weight, cluster_to_bisect):
        self._current = cluster_to_bisect.indices
        super()._bisect(X, x_squared_norms, sample_weight, cluster_to_bisect)

    def _init_centroids(self, X, x_squared_norms, init, random_state, init_size=None, n_centroids=None):
        seeds = random_state.permutation(X.shape[0])[:n_centroids]
        self.starts.append([int(self._current[s]) for s in seeds])
        return X[seeds]


def blobs(rng, n, d, k, spread):
    centres = rng.uniform(-10, 10, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return (centres[labels] + spread * rng.standard_normal((n, d))).astype(np.float32)


def case(name, X, k, strategy, n_init=1, tol=1e-4, fresh=None):
    X = np.asarray(X, dtype=np.float32)
    km = RecordingBisectingKMeans(n_clusters=k, bisecting_strategy=strategy, n_init=n_init, tol=tol, random_state=0)
    km.starts = []
    km.fit(X)
    fresh = X[:50] + np.float32(0.3) if fresh is None else fresh
    return {
        "name": name,
        "rows": int(X.shape[0]),
        "dims": int(X.shape[1]),
        "k": k,
        "strategy": strategy,
        "n_init": n_init,
        "tol": tol,
        "data": [float(v) for v in X.ravel()],
        # starts[s*n_init + run] = the two row indices (whole data) starting run `run` of bisection s
        "starts": km.starts,
        "labels": [int(v) for v in km.labels_],
        "inertia": float(km.inertia_),
        "centres": [float(v) for v in km.cluster_centers_.ravel()],
        "fresh": [float(v) for v in np.asarray(fresh, dtype=np.float32).ravel()],
        "fresh_labels": [int(v) for v in km.predict(np.asarray(fresh, dtype=np.float32))],
    }


def seeded(name, X, k, strategy):
    """From scikit-learn's own random starts (random_state=0..4): labels for an ARI check."""
    X = np.asarray(X, dtype=np.float32)
    runs = []
    for seed in range(3):
        km = BisectingKMeans(n_clusters=k, bisecting_strategy=strategy, random_state=seed).fit(X)
        runs.append({"labels": [int(v) for v in km.labels_], "inertia": float(km.inertia_)})
    return {"name": name, "rows": int(X.shape[0]), "dims": int(X.shape[1]), "k": k, "strategy": strategy,
            "data": [float(v) for v in X.ravel()], "runs": runs}


def main():
    rng = np.random.default_rng(20261130)
    cases = []
    X = blobs(rng, 600, 4, 6, 0.6)
    cases.append(case("separated blobs, biggest_inertia", X, 6, "biggest_inertia"))
    cases.append(case("separated blobs, largest_cluster", X, 6, "largest_cluster"))
    X = blobs(rng, 1500, 6, 5, 3.0)
    cases.append(case("overlapping blobs, k=8, biggest_inertia", X, 8, "biggest_inertia"))
    cases.append(case("overlapping blobs, k=8, largest_cluster, n_init=3", X, 8, "largest_cluster", n_init=3))
    cases.append(case("overlapping blobs, tol=0", X, 4, "biggest_inertia", tol=0.0))
    wholesale = np.genfromtxt("datasets/wholesale-customers.csv", delimiter=",", skip_header=1)[:, 1:]
    w = np.log1p(wholesale).astype(np.float32)
    cases.append(case("wholesale customers (log), k=5", w, 5, "biggest_inertia"))
    seeds = [
        seeded("blobs k=6 biggest_inertia", blobs(rng, 3000, 5, 6, 0.8), 6, "biggest_inertia"),
        seeded("blobs k=6 largest_cluster", blobs(rng, 3000, 5, 6, 0.8), 6, "largest_cluster"),
    ]
    json.dump({"generator": "test/oracle/bisecting_sklearn.py", "sklearn": sklearn.__version__,
               "cases": cases, "seeded": seeds}, sys.stdout)


main()
