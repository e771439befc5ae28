/**
 * The data the backends work on: N rows × D features of float32, column-major (feature j occupies
 * `data[j*rows .. (j+1)*rows)`), the layout Arrow columns already have, so a GPU thread per row
 * reads neighbouring addresses for every feature. The buffer is a SharedArrayBuffer so that CPU
 * worker threads read it in place, without a copy per thread.
 */
export interface DataMatrix {
  readonly rows: number;
  readonly dims: number;
  readonly features: readonly string[];
  readonly data: Float32Array;
}

/** Per-feature summary computed in float64 while the matrix is built. */
export interface ColumnStats {
  count: Float64Array;
  mean: Float64Array;
  /** Population variance (ddof = 0), as numpy's var and scikit-learn's tolerance use. */
  variance: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

export function allocateMatrix(rows: number, features: readonly string[]): DataMatrix {
  const dims = features.length;
  const data = new Float32Array(new SharedArrayBuffer(Math.max(4, rows * dims * 4)), 0, rows * dims);
  return { rows, dims, features, data };
}

/** A matrix over given values (row-major input, as users write small arrays), copied to column-major. */
export function matrixFromRows(rowsData: ArrayLike<ArrayLike<number>>, features?: readonly string[]): DataMatrix {
  const rows = rowsData.length;
  const dims = rows > 0 ? rowsData[0].length : (features?.length ?? 0);
  const names = features ?? Array.from({ length: dims }, (_, j) => `x${j}`);
  const m = allocateMatrix(rows, names);
  for (let i = 0; i < rows; i++) {
    const r = rowsData[i];
    for (let j = 0; j < dims; j++) m.data[j * rows + i] = r[j];
  }
  return m;
}

/** Row i as a dense vector (row-major order of the features). */
export function readRow(m: DataMatrix, i: number, out = new Float32Array(m.dims)): Float32Array {
  for (let j = 0; j < m.dims; j++) out[j] = m.data[j * m.rows + i];
  return out;
}

/** Mean, variance, min, max per feature, in float64, ignoring NaN. */
export function columnStats(m: DataMatrix): ColumnStats {
  const d = m.dims;
  const stats: ColumnStats = {
    count: new Float64Array(d),
    mean: new Float64Array(d),
    variance: new Float64Array(d),
    min: new Float64Array(d).fill(Infinity),
    max: new Float64Array(d).fill(-Infinity),
  };
  for (let j = 0; j < d; j++) {
    const col = m.data.subarray(j * m.rows, (j + 1) * m.rows);
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v !== v) continue;
      count++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = count > 0 ? sum / count : Number.NaN;
    let ss = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v !== v) continue;
      const dv = v - mean;
      ss += dv * dv;
    }
    stats.count[j] = count;
    stats.mean[j] = mean;
    stats.variance[j] = count > 0 ? ss / count : Number.NaN;
    stats.min[j] = min;
    stats.max[j] = max;
  }
  return stats;
}
