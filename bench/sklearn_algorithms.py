#!/usr/bin/python3
"""scikit-learn's counterpart of one case of bench/algorithms-vs-sklearn.ts, side by side with gpuseg.

    /usr/bin/python3 bench/sklearn_algorithms.py REQUEST_JSON

REQUEST_JSON: {"name", "data", "rows", "dims", "params", "labels", "repeat"}, the request the gpuseg side
(bench/algorithm-case.ts) gets; the parameters map onto the estimator as bench/algorithm-cases.ts
states. DATA holds the float32 matrix column-major; it is handed to the estimator as float32 rows
(each estimator converts what it needs). The fit alone is timed (the fastest of `repeat`), after
the same fit on the first 2,000 rows 3 times (untimed, a warm-up, as on gpuseg's side). Writes
labels_ (int32) to LABELS and prints one JSON line: seconds, note.
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, AgglomerativeClustering, Birch, BisectingKMeans, KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

warnings.simplefilter("ignore", ConvergenceWarning)


def estimator(name, p):
    """The estimator of case `name` with the case's parameters, and a note on what it did after fit."""
    if name == "kmeans":
        e = KMeans(n_clusters=p["k"], init="k-means++", n_init=1, max_iter=p["maxIter"], tol=p["tol"], algorithm="lloyd", random_state=p["seed"])
        return e, lambda: f"{e.n_iter_} Lloyd iterations"
    if name == "minibatch-kmeans":
        e = MiniBatchKMeans(n_clusters=p["k"], batch_size=p["batchSize"], max_iter=p["maxIter"], tol=0.0, max_no_improvement=p["maxNoImprovement"], init="k-means++", n_init=1, reassignment_ratio=0.0, random_state=p["seed"])
        return e, lambda: f"{e.n_steps_} batches"
    if name.startswith("gmm "):
        e = GaussianMixture(n_components=p["k"], covariance_type=p["covariance"], init_params="kmeans", n_init=1, max_iter=p["maxIter"], tol=p["tol"], reg_covar=p["regCovar"], random_state=p["seed"])
        return e, lambda: f"{e.n_iter_} EM iterations"
    if name == "bisecting":
        e = BisectingKMeans(n_clusters=p["k"], init="random", n_init=1, max_iter=p["maxIter"], tol=p["tol"], bisecting_strategy="biggest_inertia", algorithm="lloyd", random_state=p["seed"])
        return e, lambda: ""
    if name == "ward":
        e = AgglomerativeClustering(n_clusters=p["k"], linkage="ward")
        return e, lambda: "exact"
    if name == "dbscan":
        e = DBSCAN(eps=p["eps"], min_samples=p["minSamples"])
        return e, lambda: f"{e.labels_.max() + 1} clusters, {int((e.labels_ < 0).sum())} noise"
    if name == "birch":
        e = Birch(threshold=p["threshold"], branching_factor=p["branchingFactor"], n_clusters=p["k"])
        return e, lambda: f"{len(e.subcluster_centers_)} subclusters"
    raise SystemExit(f"no case '{name}'")


def main():
    r = json.loads(sys.argv[1])
    X = np.ascontiguousarray(np.fromfile(r["data"], dtype=np.float32).reshape(r["dims"], r["rows"]).T)
    # Warm-up: the same fit on the first 2,000 rows 3 times, untimed, as gpuseg's side does
    # (OpenMP's and BLAS's threads start here, not in the timed fit).
    for _ in range(3):
        estimator(r["name"], r["params"])[0].fit(X[:2000])
    seconds = float("inf")
    for _ in range(r["repeat"]):  # the fastest of `repeat` fits (the same seed each time)
        e, note = estimator(r["name"], r["params"])
        started = time.perf_counter()
        e.fit(X)
        seconds = min(seconds, time.perf_counter() - started)
    labels = e.predict(X) if r["name"].startswith("gmm ") else e.labels_
    np.asarray(labels, dtype=np.int32).tofile(r["labels"])
    print(json.dumps({"seconds": seconds, "note": note(), "sklearn": sklearn.__version__}))


main()
