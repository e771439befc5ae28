/** Column statistics the preprocessing steps are fitted on, in float64, NaN ignored. */
export { meanAndStd } from '../data/mean-std.js';

/**
 * Quantile q of the finite values with linear interpolation (numpy's default, 'linear'), by
 * selection (expected linear time) on a copy rather than a sort: sorting a million values costs
 * about 150 ms in V8, selecting its median a few.
 */
export function quantile(column: Float32Array | Float64Array, q: number): number {
  const values = finiteCopy(column);
  const n = values.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const a = select(values, lo);
  if (pos === lo || lo + 1 >= n) return a;
  // After selecting lo, the next order statistic is the smallest value above position lo.
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (values[i] < b) b = values[i];
  return a + (b - a) * (pos - lo);
}

function finiteCopy(column: Float32Array | Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) n++;
  const out = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) out[at++] = column[i];
  return out;
}

/** Hoare's selection (median-of-three pivots): puts the k-th smallest at k, smaller before, larger after. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot, which also guards the scans.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Pearson correlation matrix (D×D, row-major) of a column-major matrix without NaN. */
export function correlationMatrix(data: Float32Array, rows: number, dims: number): Float64Array {
  const cov = covarianceMatrix(data, rows, dims);
  const out = new Float64Array(dims * dims);
  for (let a = 0; a < dims; a++) {
    for (let b = 0; b < dims; b++) {
      const denom = Math.sqrt(cov.matrix[a * dims + a] * cov.matrix[b * dims + b]);
      out[a * dims + b] = denom > 0 ? cov.matrix[a * dims + b] / denom : a === b ? 1 : 0;
    }
  }
  return out;
}

/** Means and the sample covariance (ddof = 1, as numpy.cov and scikit-learn's PCA use), column pair by pair. */
export function covarianceMatrix(
  data: Float32Array,
  rows: number,
  dims: number,
): { mean: Float64Array; matrix: Float64Array } {
  const mean = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    let s = 0;
    const col = data.subarray(j * rows, (j + 1) * rows);
    for (let i = 0; i < rows; i++) s += col[i];
    mean[j] = s / rows;
  }
  const matrix = new Float64Array(dims * dims);
  const denom = Math.max(1, rows - 1);
  for (let a = 0; a < dims; a++) {
    const xa = data.subarray(a * rows, (a + 1) * rows);
    const ma = mean[a];
    for (let b = a; b < dims; b++) {
      const xb = data.subarray(b * rows, (b + 1) * rows);
      const mb = mean[b];
      let s = 0;
      for (let i = 0; i < rows; i++) s += (xa[i] - ma) * (xb[i] - mb);
      matrix[a * dims + b] = matrix[b * dims + a] = s / denom;
    }
  }
  return { mean, matrix };
}
