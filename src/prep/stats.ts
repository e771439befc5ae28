/** Column statistics the preprocessing steps are fitted on, in float64, NaN ignored. */

/** Finite values of a column, sorted (a copy). */
export function sortedFinite<T extends Float32Array | Float64Array>(column: T): T {
  let n = 0;
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) n++;
  const out = new (column.constructor as new (n: number) => T)(n);
  let at = 0;
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) out[at++] = column[i];
  return out.sort() as T;
}

/** Quantile q of sorted values with linear interpolation (numpy's default, 'linear'). */
export function quantileSorted(sorted: Float32Array | Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function meanAndStd(column: Float32Array | Float64Array): { mean: number; std: number; min: number; max: number; count: number } {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v !== v) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count > 0 ? sum / count : Number.NaN;
  let ss = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v) ss += (v - mean) * (v - mean);
  }
  return { mean, std: count > 0 ? Math.sqrt(ss / count) : Number.NaN, min, max, count };
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

/** Means and the sample covariance (ddof = 1, as numpy.cov and scikit-learn's PCA use). */
export function covarianceMatrix(data: Float32Array, rows: number, dims: number): { mean: Float64Array; matrix: Float64Array } {
  const mean = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += data[j * rows + i];
    mean[j] = s / rows;
  }
  const matrix = new Float64Array(dims * dims);
  const centred = new Float64Array(dims);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dims; j++) centred[j] = data[j * rows + i] - mean[j];
    for (let a = 0; a < dims; a++) {
      const ca = centred[a];
      for (let b = a; b < dims; b++) matrix[a * dims + b] += ca * centred[b];
    }
  }
  const denom = Math.max(1, rows - 1);
  for (let a = 0; a < dims; a++) {
    for (let b = a; b < dims; b++) {
      matrix[a * dims + b] /= denom;
      matrix[b * dims + a] = matrix[a * dims + b];
    }
  }
  return { mean, matrix };
}
