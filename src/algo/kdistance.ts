import { pairSquaredDistance } from '../data/pair-distance.js';
import { Rng } from '../util/rng.js';
import type { SortedRows } from './sorted-rows.js';

/** Rows whose k-distance makes the curve of `--eps auto`. */
export const KDISTANCE_SAMPLE_ROWS = 1000;

/**
 * `--eps auto`: the knee of the sorted k-distance curve (Ester et al.'s heuristic for DBSCAN's
 * eps), with k = min-samples. The k-distance of a row is the distance to its k-th nearest row,
 * itself counted first (scikit-learn's NearestNeighbors(n_neighbors=k).kneighbors on the data).
 * It is computed exactly for a seeded sample of KDISTANCE_SAMPLE_ROWS rows; the knee is the point
 * of the ascending curve farthest from the chord between its ends, both axes scaled to [0, 1].
 */
export function kDistanceKnee(sorted: SortedRows, k: number, seed: number): number {
  const n = sorted.matrix.rows;
  const sample =
    n <= KDISTANCE_SAMPLE_ROWS
      ? Array.from({ length: n }, (_, i) => i)
      : new Rng(seed).sampleWithoutReplacement(n, KDISTANCE_SAMPLE_ROWS);
  const curve = Float64Array.from(sample, (r) => Math.sqrt(kthSquaredDistance(sorted, r, k)));
  curve.sort();
  return knee(curve);
}

/** The point of an ascending curve farthest below the chord between its ends (axes scaled to [0, 1]). */
export function knee(curve: Float64Array): number {
  const m = curve.length;
  const low = curve[0];
  const span = curve[m - 1] - low;
  if (m < 3 || span <= 0) return curve[m - 1];
  let best = m - 1;
  let bestGap = 0;
  for (let i = 0; i < m; i++) {
    const gap = i / (m - 1) - (curve[i] - low) / span;
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return curve[best];
}

/** Squared distance from sorted row r to its k-th nearest row (itself first), scanning outwards along the axis. */
function kthSquaredDistance(sorted: SortedRows, r: number, k: number): number {
  const { matrix, axisValues } = sorted;
  const n = matrix.rows;
  const want = Math.min(k, n);
  // The k smallest squared distances so far, ascending.
  const best: number[] = [];
  const offer = (d2: number) => {
    if (best.length === want && d2 >= best[want - 1]) return;
    let at = best.length < want ? best.length : want - 1;
    if (best.length < want) best.push(d2);
    while (at > 0 && best[at - 1] > d2) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = d2;
  };
  const v = axisValues[r];
  let a = r;
  let b = r + 1;
  for (;;) {
    const kth = best.length === want ? best[want - 1] : Infinity;
    const gapA = a >= 0 ? (v - axisValues[a]) ** 2 : Infinity;
    const gapB = b < n ? (axisValues[b] - v) ** 2 : Infinity;
    if (Math.min(gapA, gapB) > kth || (a < 0 && b >= n)) break;
    if (gapA <= gapB) offer(pairSquaredDistance(matrix.data, n, matrix.dims, r, a--));
    else offer(pairSquaredDistance(matrix.data, n, matrix.dims, r, b++));
  }
  return best[want - 1];
}
