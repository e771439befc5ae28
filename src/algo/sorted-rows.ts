import { allocateMatrix, columnStats, type DataMatrix } from '../data/matrix.js';

/**
 * The rows sorted along one axis (the feature of largest variance): rows within eps of a row lie
 * within eps of it on that axis, a window of the sorted rows. DBSCAN's predict and the k-distance
 * of `eps: 'auto'` search these windows (the fit's passes use grid-rows.ts).
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
