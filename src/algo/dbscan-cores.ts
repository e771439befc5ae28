import { allocateMatrix, type DataMatrix } from '../data/matrix.js';
import { sortRows, type SortedRows } from './sorted-rows.js';

/**
 * The core rows of a DBSCAN model as predict searches them, and the direct search: a row's
 * nearest core row within eps, in float64 (Σ_f (x_f − c_f)² in feature order, ties to the lower
 * core row number), else none. This is the rule every faster path must reproduce exactly
 * (dbscan-predict.ts decides the rows it cannot certify with it).
 */
export interface CoreRows {
  /** The core rows in model order, column-major float32 (a core row's values as float32). */
  matrix: DataMatrix;
  /** The same rows sorted along their widest axis: a row's cores within r lie in a window. */
  sorted: SortedRows;
  /** Cluster of each core row (model order). */
  labels: Int32Array;
  eps: number;
  eps2: number;
}

export function coreRows(
  points: readonly (readonly number[])[],
  labels: readonly number[],
  features: readonly string[],
  eps: number,
): CoreRows {
  const matrix = allocateMatrix(points.length, [...features]);
  const nc = matrix.rows;
  points.forEach((p, i) => p.forEach((v, f) => (matrix.data[f * nc + i] = v)));
  return {
    matrix,
    sorted: sortRows(matrix),
    labels: Int32Array.from(labels),
    eps,
    eps2: eps * eps,
  };
}

/** The float64 squared distance of row i of X (n rows) to core row c, in feature order. */
export function coreSquaredDistance(
  cores: CoreRows,
  X: Float32Array,
  n: number,
  i: number,
  c: number,
): number {
  const { data: C, rows: nc, dims: d } = cores.matrix;
  let s = 0;
  for (let f = 0; f < d; f++) {
    const diff = X[f * n + i] - C[f * nc + c];
    s += diff * diff;
  }
  return s;
}

/**
 * Row i's nearest core row within eps (model number), or −1. `known` is a core row and its
 * squared distance (≤ eps²) when one is known: the search then only looks for better ones.
 */
export function nearestCoreDirect(
  cores: CoreRows,
  X: Float32Array,
  n: number,
  i: number,
  known?: { core: number; s: number },
): number {
  const { sorted, eps2 } = cores;
  const { axisValues, perm } = sorted;
  const C = sorted.matrix.data;
  const nc = sorted.matrix.rows;
  const d = sorted.matrix.dims;
  let best = known ? known.core : -1;
  let bestD2 = known ? known.s : Infinity;
  // Margin: the axis values are float32, the bound a float64 sum.
  const reach = Math.sqrt(Math.min(bestD2, eps2)) * (1 + 1e-9);
  const v = X[sorted.axis * n + i];
  for (let r = bound(axisValues, v - reach, false); r < nc; r++) {
    if (axisValues[r] > v + reach) break;
    // Partial sums of squares only grow (in float64 too), so a core row is dropped once its
    // sum passes the best one so far (or eps²): the same row wins, ties included.
    const limit = bestD2 < eps2 ? bestD2 : eps2;
    let s = 0;
    for (let f = 0; f < d && s <= limit; f++) {
      const diff = X[f * n + i] - C[f * nc + r];
      s += diff * diff;
    }
    if (s > limit) continue;
    const original = perm[r];
    if (s <= eps2 && (s < bestD2 || (s === bestD2 && original < best)))
      [best, bestD2] = [original, s];
  }
  return best;
}

/** The rows of `sorted` within `reach` of v on its axis: [lo, hi). */
export function axisWindow(sorted: SortedRows, v: number, reach: number): [number, number] {
  const a = sorted.axisValues;
  return [bound(a, v - reach, false), bound(a, v + reach, true)];
}

/**
 * For each core row (model order), the squared distance to the nearest core row of another
 * cluster, in float64, or FOREIGN_CAP·eps² where there is none that close. A row whose nearest
 * core c is at √s with 4s below this cannot have a nearer core of another cluster (that core would
 * be within 2√s of c): its label is c's whichever core is exactly nearest (dbscan-predict.ts).
 */
export const FOREIGN_CAP = 4 * (1 + 2 ** -10);

export function foreignReach(cores: CoreRows): Float64Array {
  const { sorted, labels, eps2 } = cores;
  const nc = sorted.matrix.rows;
  const d = sorted.matrix.dims;
  const C = sorted.matrix.data;
  const cap = FOREIGN_CAP * eps2;
  // Every foreign core within √cap lies within `reach` on the axis (float32 axis, float64 sums).
  const reach = Math.sqrt(cap) * (1 + 1e-9);
  // The sorted positions of each cluster's cores, in sorted order: a core scans only the others.
  const clusters = new Map<number, number[]>();
  for (let r = 0; r < nc; r++) {
    const l = labels[sorted.perm[r]];
    let list = clusters.get(l);
    if (!list) clusters.set(l, (list = []));
    list.push(r);
  }
  const lists = [...clusters.entries()].map(([label, rows]) => ({
    label,
    rows: Int32Array.from(rows),
    axis: Float32Array.from(rows, (r) => sorted.axisValues[r]),
  }));
  const out = new Float64Array(nc).fill(cap);
  if (lists.length < 2) return out;
  for (let r = 0; r < nc; r++) {
    const own = labels[sorted.perm[r]];
    const v = sorted.axisValues[r];
    let best = cap;
    for (const list of lists) {
      if (list.label === own) continue;
      const hi = bound(list.axis, v + reach, true);
      for (let e = bound(list.axis, v - reach, false); e < hi; e++) {
        const o = list.rows[e];
        let s = 0;
        for (let f = 0; f < d && s < best; f++) {
          const diff = C[f * nc + r] - C[f * nc + o];
          s += diff * diff;
        }
        if (s < best) best = s;
      }
    }
    out[sorted.perm[r]] = best;
  }
  return out;
}

/** First sorted position with a value ≥ v (`after`: > v). */
function bound(values: Float32Array, v: number, after: boolean): number {
  let a = 0;
  let b = values.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (after ? values[mid] <= v : values[mid] < v) a = mid + 1;
    else b = mid;
  }
  return a;
}
