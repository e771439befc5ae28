import { readFileSync } from 'node:fs';

/** One case of test/fixtures/dbscan-sklearn.json: scikit-learn's DBSCAN labels and core rows. */
export interface SklearnDbscanCase {
  name: string;
  rows: number;
  dims: number;
  eps: number;
  min_samples: number;
  /** Row-major values, rows × dims. */
  data: number[];
  labels: number[];
  core: number[];
}

/** The cases of test/fixtures/dbscan-sklearn.json (written by test/oracle/dbscan_sklearn.py). */
export const sklearnDbscanCases = (
  JSON.parse(readFileSync(new URL('../fixtures/dbscan-sklearn.json', import.meta.url), 'utf8')) as {
    cases: SklearnDbscanCase[];
  }
).cases;

/**
 * scikit-learn's DBSCAN loop written out plainly (sklearn/cluster/_dbscan_inner.pyx), on
 * brute-force float64 neighbourhoods: the reference that the engine's sorted windows, backend
 * passes and union-find must reproduce label for label.
 */
export function referenceDbscan(
  rows: readonly (readonly number[])[],
  eps: number,
  minSamples: number,
): Int32Array {
  const n = rows.length;
  const eps2 = eps * eps;
  const neighbours: number[][] = rows.map((a) => {
    const out: number[] = [];
    rows.forEach((b, j) => {
      let s = 0;
      for (let f = 0; f < a.length; f++) s += (Math.fround(a[f]) - Math.fround(b[f])) ** 2;
      if (s <= eps2) out.push(j);
    });
    return out;
  });
  const core = neighbours.map((list) => list.length >= minSamples);
  const labels = new Int32Array(n).fill(-1);
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !core[i]) continue;
    const stack = [i];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (labels[v] !== -1) continue;
      labels[v] = next;
      if (core[v]) for (const w of neighbours[v]) if (labels[w] === -1) stack.push(w);
    }
    next++;
  }
  return labels;
}
