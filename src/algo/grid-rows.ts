import { allocateMatrix, type DataMatrix } from '../data/matrix.js';
import { symmetricEigen } from '../prep/eigen.js';

/**
 * DBSCAN's neighbour search space: the rows projected on their first principal axes (at most
 * three), the first ones cut into cells of side `reach` ≥ eps and the last kept as a value; rows
 * sorted by (cells, value). A projection on orthonormal axes never lengthens a distance, so every
 * row within eps of row r lies in a neighbouring cell of r's on each cut axis and within `reach`
 * of r's value on the last: for each of the 3^(axes − 1) neighbouring cell combinations, one
 * contiguous window of sorted rows. The backend passes run once per window offset, with one
 * window per row each (the RadiusQuery shape), and the counts and lists add up. On data spread
 * along two or three axes this visits a few ε-sized cells instead of the whole strip that one
 * sorted axis leaves.
 */
export interface GridRows {
  /** The matrix with its rows in sorted order. */
  matrix: DataMatrix;
  /** Sorted row r is input row perm[r]. */
  perm: Int32Array;
  /** Window offsets: each row has one window per offset, disjoint, together covering its ε-ball. */
  windows: number;
  /** Windows [lo[r], hi[r]) of sorted rows [start, start + count) for window offset w. */
  window(w: number, start: number, count: number): { lo: Int32Array; hi: Int32Array };
  /**
   * Where the rows of window offset w lie against the row itself in sorted order: −1 all before
   * it, 1 all after it (a lower or higher cell key), 0 around it (the row's own cell).
   */
  side(w: number): -1 | 0 | 1;
}

/** Principal axes used at most (3 → nine windows per row). */
const MAX_AXES = 3;
/** An axis cut into cells only when its spread holds at least this many: fewer prune nothing. */
const MIN_CELLS = 4;

export function gridRows(m: DataMatrix, eps: number): GridRows {
  const n = m.rows;
  const d = m.dims;
  const proj = principalProjection(m, Math.min(d, MAX_AXES));
  // The margin covers the float64 rounding of the projections (relative to their size, centred).
  let largest = 0;
  for (const p of proj) for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(p[i]));
  const reach = eps * (1 + 1e-6) + 64 * Number.EPSILON * largest * Math.max(d, 1);
  // Axes worth a dimension of the grid: while their spread spans MIN_CELLS cells and the cell
  // numbers still fit a float64 key exactly.
  let axes = 1;
  let cells = 1;
  while (axes < proj.length && spread(proj[axes]) >= MIN_CELLS * reach) {
    cells *= Math.floor(spread(proj[axes - 1]) / reach) + 3;
    if (cells > 2 ** 48) break;
    axes++;
  }
  const cut = proj.slice(0, axes - 1);
  const value = proj[axes - 1];
  // Cells from 1 (0 and size + 1 stay free for the neighbours of the edge cells).
  const low = cut.map((p) => p.reduce((a, v) => Math.min(a, v), Infinity));
  const sizes = cut.map((p) => Math.floor(spread(p) / reach) + 3);
  const prefix = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (let a = 0; a < cut.length; a++)
      key = key * sizes[a] + 1 + Math.floor((cut[a][i] - low[a]) / reach);
    prefix[i] = key;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => prefix[a] - prefix[b] || value[a] - value[b] || a - b);
  const perm = Int32Array.from(order);
  const matrix = allocateMatrix(n, m.features);
  for (let f = 0; f < d; f++) {
    const from = m.data.subarray(f * n, (f + 1) * n);
    const to = matrix.data.subarray(f * n, (f + 1) * n);
    for (let r = 0; r < n; r++) to[r] = from[perm[r]];
  }
  const keys = Float64Array.from(perm, (i) => prefix[i]);
  const values = Float64Array.from(perm, (i) => value[i]);
  // Offset w as digits −1, 0, 1 on each cut axis: its shift of the prefix key.
  const windows = 3 ** cut.length;
  const shifts = Array.from({ length: windows }, (_, w) => {
    let shift = 0;
    for (let a = 0, rest = w; a < cut.length; a++, rest = Math.floor(rest / 3))
      shift = shift * sizes[a] + ((rest % 3) - 1);
    return shift;
  });
  return {
    matrix,
    perm,
    windows,
    window(w, start, count) {
      const lo = new Int32Array(count);
      const hi = new Int32Array(count);
      for (let r = 0; r < count; r++) {
        const key = keys[start + r] + shifts[w];
        const v = values[start + r];
        lo[r] = bound(keys, values, key, v - reach, false);
        hi[r] = bound(keys, values, key, v + reach, true);
      }
      return { lo, hi };
    },
    side: (w) => (shifts[w] < 0 ? -1 : shifts[w] > 0 ? 1 : 0),
  };
}

function spread(p: Float64Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of p) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return p.length > 0 ? hi - lo : 0;
}

/** First sorted position after (key, v) (`after`: (key, ≤ v)); rows sorted by (keys, values). */
function bound(
  keys: Float64Array,
  values: Float64Array,
  key: number,
  v: number,
  after: boolean,
): number {
  let a = 0;
  let b = keys.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const before =
      keys[mid] < key || (keys[mid] === key && (after ? values[mid] <= v : values[mid] < v));
    if (before) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** The centred rows on their first `axes` principal axes (float64, one array per axis). */
function principalProjection(m: DataMatrix, axes: number): Float64Array[] {
  const { rows: n, dims: d, data } = m;
  const mean = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += data[f * n + i];
    mean[f] = s / Math.max(n, 1);
  }
  const cov = new Float64Array(d * d);
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (data[a * n + i] - mean[a]) * (data[b * n + i] - mean[b]);
      cov[a * d + b] = cov[b * d + a] = s;
    }
  const { vectors } = symmetricEigen(cov, d);
  return Array.from({ length: axes }, (_, p) => {
    const out = new Float64Array(n);
    for (let f = 0; f < d; f++) {
      const w = vectors[p * d + f];
      if (w === 0) continue;
      for (let i = 0; i < n; i++) out[i] += w * (data[f * n + i] - mean[f]);
    }
    return out;
  });
}
