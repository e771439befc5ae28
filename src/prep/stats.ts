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

/**
 * The values but NaN in ascending order (infinities kept, as quantile keeps them), for several
 * quantiles of a few thousand values: the typed array's own sort is native code, fast from its
 * first call, where selection is JavaScript that V8 may not have optimised yet.
 */
export function sortedValues(column: Float32Array | Float64Array): Float64Array {
  return finiteCopy(column).sort();
}

/**
 * quantile of sortedValues' output: the same order statistics and the same interpolation, so the
 * same result (a zero's sign aside: the sort puts −0 before +0, selection either).
 */
export function sortedQuantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo];
  if (pos === lo || lo + 1 >= n) return a;
  return a + (sorted[lo + 1] - a) * (pos - lo);
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
  for (let j = 0; j < dims; j++)
    mean[j] = columnSum(data.subarray(j * rows, (j + 1) * rows)) / rows;
  const matrix = new Float64Array(dims * dims);
  const denom = Math.max(1, rows - 1);
  for (let a = 0; a < dims; a++) {
    const xa = data.subarray(a * rows, (a + 1) * rows);
    // Four columns b at a time: column a is read and centred once for the four (each sum is
    // still its own, added in row order: the same bits as one pair at a time). A last group of
    // fewer repeats its last column (sums computed twice, kept once) rather than falling back to
    // a loop of its own, which V8 would run unoptimised (a one-off call's loop).
    for (let b = a; b < dims; b += 4) {
      const s = centredProducts4(xa, mean[a], data, rows, b, dims, mean);
      for (let t = 0; t < 4 && b + t < dims; t++)
        matrix[a * dims + b + t] = matrix[(b + t) * dims + a] = s[t] / denom;
    }
  }
  return { mean, matrix };
}

/** Σ of a column's values in row order. Its own small function, optimised on its first call. */
function columnSum(col: Float32Array): number {
  let s = 0;
  for (let i = 0; i < col.length; i++) s += col[i];
  return s;
}

/**
 * Σ_i (xa_i − ma)·(x_b+t,i − m_b+t) for the four columns b … b+3 of a column-major matrix (past
 * the last column, the last column again), each sum added in row order. Its own small function:
 * V8 optimises its loop on the first call.
 */
function centredProducts4(
  xa: Float32Array,
  ma: number,
  data: Float32Array,
  rows: number,
  b: number,
  dims: number,
  mean: Float64Array,
): [number, number, number, number] {
  const c = (t: number): number => Math.min(b + t, dims - 1);
  const x0 = data.subarray(c(0) * rows, (c(0) + 1) * rows);
  const x1 = data.subarray(c(1) * rows, (c(1) + 1) * rows);
  const x2 = data.subarray(c(2) * rows, (c(2) + 1) * rows);
  const x3 = data.subarray(c(3) * rows, (c(3) + 1) * rows);
  const m0 = mean[c(0)];
  const m1 = mean[c(1)];
  const m2 = mean[c(2)];
  const m3 = mean[c(3)];
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < rows; i++) {
    const da = xa[i] - ma;
    s0 += da * (x0[i] - m0);
    s1 += da * (x1[i] - m1);
    s2 += da * (x2[i] - m2);
    s3 += da * (x3[i] - m3);
  }
  return [s0, s1, s2, s3];
}
