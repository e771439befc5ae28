#!/usr/bin/python3
"""Expected Ward clusterings from scikit-learn, for test/ward-sklearn.test.ts.

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 test/oracle/ward_sklearn.py > test/fixtures/ward-sklearn.json
Each case gives the data (float32, row-major) and what AgglomerativeClustering(linkage='ward')
returns at several k (labels), plus the merge heights (ward_tree's distances) of the whole tree.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import AgglomerativeClustering, ward_tree
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_blobs, make_moons
from sklearn.preprocessing import StandardScaler


def case(name, X, ks):
    X = np.asarray(X, dtype=np.float32)
    _, _, _, _, heights = ward_tree(X, return_distance=True)
    return {
        "name": name,
        "rows": int(X.shape[0]),
        "dims": int(X.shape[1]),
        "data": [float(v) for v in X.ravel()],
        "heights": [float(v) for v in heights],
        "cuts": [
            {"k": k, "labels": [int(v) for v in AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X).labels_]}
            for k in ks
        ],
    }


def main():
    scale = lambda X: StandardScaler().fit_transform(X)
    cases = [
        case("iris (standardised)", scale(load_iris().data), [2, 3, 5, 8]),
        case("wine (standardised)", scale(load_wine().data), [3, 6]),
        case("breast cancer (standardised)", scale(load_breast_cancer().data), [2, 4, 7]),
        case("blobs", make_blobs(n_samples=800, centers=5, n_features=4, random_state=3)[0], [3, 5, 9]),
        case("moons", make_moons(n_samples=400, noise=0.08, random_state=1)[0], [2, 4, 6]),
        case(
            "anisotropic blobs",
            make_blobs(n_samples=600, centers=3, random_state=170)[0] @ np.array([[0.6, -0.6], [-0.4, 0.8]]),
            [3, 4],
        ),
    ]
    json.dump({"generator": "test/oracle/ward_sklearn.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)


main()
