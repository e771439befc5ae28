#!/usr/bin/python3
"""When scikit-learn's MiniBatchKMeans stops, for test/minibatch-stopping.test.ts.

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 test/oracle/minibatch_stopping_sklearn.py > test/fixtures/minibatch-stopping-sklearn.json

Each case replays a sequence of steps (the batch inertia, a sum over the batch, and the centres'
squared movement Σ‖Δc‖²) through scikit-learn's own early-stopping method,
MiniBatchKMeans._mini_batch_convergence, on an estimator set up as its fit sets it up (_batch_size,
_tol = tol × mean feature variance, the smoothed-inertia state cleared), and records the 1-based
step at which it first returns True (0: never within the sequence). The sequences are made here
(numpy, seeded) so that the rule's parts decide: the first step left out, the smoothing alpha
(below 1 and clamped to 1), the count of steps without improvement, and the tolerance on the
movement summed over all centres.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import MiniBatchKMeans


def stop_step(rows, batch_size, tol, max_no_improvement, inertias, shifts):
    e = MiniBatchKMeans(batch_size=batch_size, max_no_improvement=max_no_improvement, tol=tol)
    e._batch_size = batch_size
    e._tol = tol
    e._ewa_inertia = None
    e._ewa_inertia_min = None
    e._no_improvement = 0
    n_steps = len(inertias)
    for i, (inertia, shift) in enumerate(zip(inertias, shifts)):
        if e._mini_batch_convergence(i, n_steps, rows, shift, inertia):
            return i + 1
    return 0


def case(name, rows, batch_size, tol, max_no_improvement, inertias, shifts):
    inertias = [float(v) for v in inertias]
    shifts = [float(v) for v in shifts]
    return {
        "name": name,
        "rows": rows,
        "batch_size": batch_size,
        "tol": tol,
        "max_no_improvement": max_no_improvement,
        "inertias": inertias,
        "shifts": shifts,
        "stop": stop_step(rows, batch_size, tol, max_no_improvement, inertias, shifts),
    }


rng = np.random.RandomState(0)
steps = 400
t = np.arange(steps)
falling = 1024 * (10 + 90 * np.exp(-t / 8)) * (1 + 0.05 * rng.standard_normal(steps))
flat = 1024 * 10 * (1 + 0.05 * rng.standard_normal(steps))
# The first batch scored against the seeding centres: far above the rest. Averaged in, the
# average would fall for ~3 / alpha steps as it forgets it, and the fit run on.
seeded = flat.copy()
seeded[0] = 1024 * 1e4
shifts = 8 * 0.5 ** (t / 4)
cases = [
    case("falling then flat, alpha < 1", 100_000, 1024, 0.0, 10, falling, np.zeros(steps)),
    case("first step far above, left out", 100_000, 1024, 0.0, 10, seeded, np.zeros(steps)),
    case("alpha clamped to 1", 1_000, 1024, 0.0, 3, falling, np.zeros(steps)),
    case("max_no_improvement 1", 1_000_000, 256, 0.0, 1, flat, np.zeros(steps)),
    # Σ‖Δc‖² over 8 centres reaches 0.01 later than its mean over them would.
    case("tolerance on the summed movement", 1_000_000, 1024, 0.01, 10_000, falling, shifts),
    case("tolerance never met", 100_000, 1024, 1e-9, 10, falling, shifts),
]
json.dump({"sklearn": sklearn.__version__, "cases": cases}, sys.stdout)
