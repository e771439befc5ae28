#!/usr/bin/python3
"""Expected cluster-quality scores from scikit-learn, for test/metrics.test.ts.

    /usr/bin/python3 test/oracle/metrics_sklearn.py > test/fixtures/metrics-sklearn.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(5)
cases = []
wholesale = np.genfromtxt("datasets/wholesale-customers.csv", delimiter=",", skip_header=1)[:, 3:]
X = StandardScaler().fit_transform(wholesale).astype(np.float32)
for k in (2, 4, 7):
    labels = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(X)
    cases.append(("wholesale, k-means k=%d" % k, X, labels))
Y = rng.standard_normal((300, 3)).astype(np.float32)
labels = rng.integers(0, 5, size=300)
labels[17] = 5  # a singleton cluster
cases.append(("random labels with a singleton", Y, labels))
out = []
for name, data, labels in cases:
    out.append({
        "name": name,
        "rows": int(data.shape[0]),
        "dims": int(data.shape[1]),
        "k": int(labels.max() + 1),
        "data": [float(v) for v in data.ravel()],
        "labels": [int(v) for v in labels],
        "silhouette": float(silhouette_score(data.astype(np.float64), labels)),
        "calinski_harabasz": float(calinski_harabasz_score(data.astype(np.float64), labels)),
        "davies_bouldin": float(davies_bouldin_score(data.astype(np.float64), labels)),
    })
json.dump({"generator": "test/oracle/metrics_sklearn.py", "sklearn": sklearn.__version__, "cases": out}, sys.stdout)
