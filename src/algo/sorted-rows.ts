import { allocateMatrix, columnStats, type DataMatrix } from '../data/matrix.js';

/**
 * The rows sorted along one axis (the feature of largest variance), and for each sorted row the
 * window of rows whose coordinate on that axis is within eps of its own: no row outside the
 * window can be within eps, since that one coordinate's gap alone exceeds eps. This is what keeps
 * DBSCAN's neighbour passes from scanning every pair on data that is spread out along the axis.
 */
export interface SortedRows {
  /** The matrix with its rows in sorted order. */
  matrix: DataMatrix;
  /** Sorted row r is input row perm[r]. */
  perm: Int32Array;
  /** The feature sorted by, and its sorted values. */
  axis: number;
  axisValues: Float32Array;
}

export function sortRows(m: DataMatrix): SortedRows {
  const n = m.rows;
  const d = m.dims;
  const variance = columnStats(m).variance;
  let axis = 0;
  for (let f = 1; f < d; f++) if (variance[f] > variance[axis]) axis = f;
  const key = m.data.subarray(axis * n, (axis + 1) * n);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => key[a] - key[b] || a - b);
  const perm = Int32Array.from(order);
  const matrix = allocateMatrix(n, m.features);
  for (let f = 0; f < d; f++) {
    const from = m.data.subarray(f * n, (f + 1) * n);
    const to = matrix.data.subarray(f * n, (f + 1) * n);
    for (let r = 0; r < n; r++) to[r] = from[perm[r]];
  }
  return { matrix, perm, axis, axisValues: matrix.data.slice(axis * n, (axis + 1) * n) };
}

/**
 * Windows [lo[r], hi[r]) of sorted rows [start, start + count): the rows whose axis coordinate is
 * within eps·(1 + 1e-9) of row r's (the margin keeps every pair whose float64 distance rounds to
 * eps² inside).
 */
export function axisWindows(
  axisValues: Float32Array,
  eps: number,
  start: number,
  count: number,
): { lo: Int32Array; hi: Int32Array } {
  const n = axisValues.length;
  const reach = eps * (1 + 1e-9);
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  let a = lowerBound(axisValues, axisValues[start] - reach);
  let b = a;
  for (let r = 0; r < count; r++) {
    const v = axisValues[start + r];
    while (a < n && axisValues[a] < v - reach) a++;
    if (b < a) b = a;
    while (b < n && axisValues[b] <= v + reach) b++;
    lo[r] = a;
    hi[r] = b;
  }
  return { lo, hi };
}

function lowerBound(values: Float32Array, v: number): number {
  let a = 0;
  let b = values.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (values[mid] < v) a = mid + 1;
    else b = mid;
  }
  return a;
}
