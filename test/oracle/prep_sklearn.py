#!/usr/bin/python3
"""Expected preprocessing from scikit-learn, for test/prep.test.ts.

    /usr/bin/python3 test/oracle/prep_sklearn.py > test/fixtures/prep-sklearn.json

CC_GENERAL's numeric columns (as float32, the engine's storage) through: median imputation,
sign(x)*log1p(|x|) on BALANCE and PURCHASES, IQR clipping (factor 1.5), then each scaler; and
standard scaling followed by PCA keeping 80% of the variance.
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

df = pd.read_csv("datasets/CC_GENERAL.csv")
features = [c for c in df.columns if c != "CUST_ID"]
X = df[features].to_numpy(dtype=np.float32).astype(np.float64)
X = SimpleImputer(strategy="median").fit_transform(X).astype(np.float32).astype(np.float64)
for name in ["BALANCE", "PURCHASES"]:
    j = features.index(name)
    X[:, j] = np.sign(X[:, j]) * np.log1p(np.abs(X[:, j]))
X = X.astype(np.float32).astype(np.float64)
q1, q3 = np.percentile(X, 25, axis=0), np.percentile(X, 75, axis=0)
X = np.clip(X, q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)).astype(np.float32).astype(np.float64)
out = {"generator": "test/oracle/prep_sklearn.py", "sklearn": sklearn.__version__, "features": features, "rows": [0, 1, 2, 100, 4000, 8949]}
for name, scaler in [("standard", StandardScaler()), ("minmax", MinMaxScaler()), ("robust", RobustScaler())]:
    Z = scaler.fit_transform(X)
    out[name] = [[float(v) for v in Z[i]] for i in out["rows"]]
Z = StandardScaler().fit_transform(X).astype(np.float32).astype(np.float64)
pca = PCA(n_components=0.8, svd_solver="full").fit(Z)
P = pca.transform(Z)
out["pca"] = {
    "explained_variance_ratio": [float(v) for v in pca.explained_variance_ratio_],
    "components": [[float(v) for v in c] for c in pca.components_],
    "rows": [[float(v) for v in P[i]] for i in out["rows"]],
}
json.dump(out, sys.stdout)
