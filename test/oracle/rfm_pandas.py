#!/usr/bin/python3
"""Independent RFM computation with pandas, for test/rfm.test.ts (the definitions in src/segment/rfm.ts).

    /usr/bin/python3 test/oracle/rfm_pandas.py > test/fixtures/rfm-online-retail.json
"""
import json
import sys

import pandas as pd

df = pd.read_csv("datasets/online_retail_uci.csv.gz", dtype={"InvoiceNo": str, "StockCode": str})
df["day"] = pd.to_datetime(df["InvoiceDate"]).dt.normalize()
as_of = df["day"].max() + pd.Timedelta(days=1)
df["amount"] = df["Quantity"] * df["UnitPrice"]
rows = len(df)
no_customer = int(df["CustomerID"].isna().sum())
df = df[df["CustomerID"].notna()]
buy = df[df["amount"] > 0]
ret = df[df["amount"] < 0]
g = buy.groupby("CustomerID")
out = pd.DataFrame({
    "recency_days": (as_of - g["day"].max()).dt.days,
    "frequency": g["InvoiceNo"].nunique(),
    "purchased": g["amount"].sum(),
    "tenure_days": (as_of - g["day"].min()).dt.days,
    "distinct_products": g["StockCode"].nunique(),
})
out["monetary"] = df.groupby("CustomerID")["amount"].sum().reindex(out.index)
out["avg_order_value"] = out["purchased"] / out["frequency"]
out["return_rate"] = (-ret.groupby("CustomerID")["amount"].sum()).reindex(out.index).fillna(0) / out["purchased"]
out = out.sort_index()
cols = ["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days", "return_rate", "distinct_products"]
json.dump({
    "generator": "test/oracle/rfm_pandas.py",
    "pandas": pd.__version__,
    "as_of": str(as_of.date()),
    "rows": rows,
    "dropped_no_customer": no_customer,
    "customers_without_purchase": int(df["CustomerID"].nunique() - len(out)),
    "customers": [float(c) for c in out.index],
    "columns": {c: [float(v) for v in out[c]] for c in cols},
}, sys.stdout)
