import { allocateMatrix, type DataMatrix, type MatrixAllocator } from '../data/matrix.js';
import { InputError, UsageError } from '../errors.js';
import { symmetricEigen } from './eigen.js';
import { forgetColumnStats, matrixColumnStats } from './column-stats-kernel.js';
import { sharedRowSample } from '../data/column-share.js';
import { correlationMatrix, covarianceMatrix, quantile } from './stats.js';

/**
 * Preprocessing of the clustering features, fitted once and stored in the model so that predict
 * applies exactly the same steps. Steps, in order, each fitted on the output of the previous:
 *   impute (mean | median | constant) → log (sign(x)·log1p(|x|), the log1p of non-negative values,
 *   symmetric for net-negative ones) → clip (IQR: [Q1 − f·IQR, Q3 + f·IQR], f = 1.5) →
 *   scale (standard: (x − mean)/std; minmax: (x − min)/(max − min); robust: (x − median)/IQR; none;
 *   a zero spread scales by 1, as scikit-learn does) → PCA (n components, or the fewest whose
 *   explained variance reaches a share, sign fixed as scikit-learn's svd_flip does).
 * Quantiles are exact (numpy's 'linear' interpolation), from the values in float32.
 */
export type ImputeStrategy = 'none' | 'mean' | 'median' | 'constant';
export type ScaleKind = 'standard' | 'minmax' | 'robust' | 'none';
export type ClipKind = 'none' | 'iqr';

export interface PrepOptions {
  impute?: ImputeStrategy;
  /** Fill value for impute 'constant' (default 0). */
  imputeValue?: number;
  /** Features to log-transform. */
  log?: string[];
  clip?: ClipKind;
  /** IQR multiple for clip 'iqr' (default 1.5). */
  clipFactor?: number;
  /** Default 'standard'. */
  scale?: ScaleKind;
  /** ≥ 1: that many components; in (0, 1): the fewest components explaining that share of variance. */
  pca?: number;
}

export interface Preprocessing {
  /** Input columns, in order. */
  features: string[];
  impute: { strategy: ImputeStrategy; values: number[] } | null;
  log: string[];
  clip: { factor: number; lower: number[]; upper: number[] } | null;
  scale: { kind: ScaleKind; centre: number[]; scale: number[] };
  pca: { components: number[][]; mean: number[]; explainedVarianceRatio: number[] } | null;
  /** Columns of the clustering space: the features, or pc1 … pcP. */
  outputs: string[];
}

export interface PrepReport {
  /** Feature pairs whose correlation is at least CORRELATION_FLAG in absolute value. */
  correlated: { a: string; b: string; r: number }[];
  imputed: { column: string; count: number; value: number }[];
  clipped: { column: string; count: number }[];
}

/** Rows the correlation report looks at, at most. */
const CORRELATION_SAMPLE = 200_000;

/** Evenly spaced rows of a matrix (all of them when it has at most `max`), column-major. */
function sampleRows(m: DataMatrix, max: number): Float32Array {
  if (m.rows <= max) return m.data;
  // Memory-bound (most cache lines of the matrix are read): two threads where there are.
  const shared = sharedRowSample(m.data, m.rows, m.dims, max);
  if (shared) return shared;
  const out = new Float32Array(max * m.dims);
  const at = new Int32Array(max); // the sampled rows, worked out once for every column
  for (let s = 0; s < max; s++) at[s] = Math.floor((s * m.rows) / max);
  for (let j = 0; j < m.dims; j++) {
    const column = m.data.subarray(j * m.rows, (j + 1) * m.rows);
    for (let s = 0; s < max; s++) out[j * max + s] = column[at[s]];
  }
  return out;
}

/** |r| at or above which two features are reported as near-duplicates. */
export const CORRELATION_FLAG = 0.95;

function column(m: DataMatrix, j: number): Float32Array {
  return m.data.subarray(j * m.rows, (j + 1) * m.rows);
}

/** Fits every step on `matrix` (missing values as NaN) and transforms it; returns the clustering matrix. */
export function fitPreprocessing(
  matrix: DataMatrix,
  options: PrepOptions,
): { prep: Preprocessing; matrix: DataMatrix; report: PrepReport } {
  const d = matrix.dims;
  const names = [...matrix.features];
  const report: PrepReport = { correlated: [], imputed: [], clipped: [] };
  const strategy = options.impute ?? 'none';
  let impute: Preprocessing['impute'] = null;
  if (strategy !== 'none') {
    const values = names.map((name, j) => {
      const col = column(matrix, j);
      if (strategy === 'constant') return options.imputeValue ?? 0;
      const value = strategy === 'mean' ? matrixColumnStats(matrix, j).mean : quantile(col, 0.5);
      if (!Number.isFinite(value))
        throw new InputError(
          `column '${name}' has no values to impute from (every row is missing)`,
        );
      return value;
    });
    impute = { strategy, values };
    names.forEach((name, j) => {
      const col = column(matrix, j);
      let count = 0;
      for (let i = 0; i < col.length; i++) if (col[i] !== col[i]) count++;
      if (count > 0) report.imputed.push({ column: name, count, value: values[j] });
    });
  }
  const log = options.log ?? [];
  for (const name of log)
    if (!names.includes(name))
      throw new UsageError(
        (opt) => `${opt('log')}: '${name}' is not a feature (features: ${names.join(', ')})`,
      );
  // `current`: the values so far. The first step that changes them writes to memory of its own
  // when the matrix is the input's (borrowed), and in place after that.
  let current = matrix;
  if (impute || log.length > 0)
    current = applyElementwise(current, { impute, log, clip: null, scale: null });

  let clip: Preprocessing['clip'] = null;
  if ((options.clip ?? 'none') === 'iqr') {
    const factor = options.clipFactor ?? 1.5;
    const lower: number[] = [];
    const upper: number[] = [];
    names.forEach((name, j) => {
      const col = column(current, j);
      const q1 = quantile(col, 0.25);
      const q3 = quantile(col, 0.75);
      lower.push(q1 - factor * (q3 - q1));
      upper.push(q3 + factor * (q3 - q1));
      let count = 0;
      for (const v of column(current, j)) if (v < lower[j] || v > upper[j]) count++;
      if (count > 0) report.clipped.push({ column: name, count });
    });
    clip = { factor, lower, upper };
    current = applyElementwise(current, { impute: null, log: [], clip, scale: null });
  }

  const kind = options.scale ?? 'standard';
  const centre: number[] = [];
  const spread: number[] = [];
  names.forEach((_name, j) => {
    const col = column(current, j);
    if (kind === 'standard') {
      const s = matrixColumnStats(current, j);
      centre.push(s.mean);
      spread.push(s.std > 0 ? s.std : 1);
    } else if (kind === 'minmax') {
      const s = matrixColumnStats(current, j);
      centre.push(s.min);
      spread.push(s.max > s.min ? s.max - s.min : 1);
    } else if (kind === 'robust') {
      const iqr = quantile(col, 0.75) - quantile(col, 0.25);
      centre.push(quantile(col, 0.5));
      spread.push(iqr > 0 ? iqr : 1);
    } else {
      centre.push(0);
      spread.push(1);
    }
  });
  const scale = { kind, centre, scale: spread };
  if (kind !== 'none')
    current = applyElementwise(current, { impute: null, log: [], clip: null, scale });

  // Near-duplicate features show on a sample as on the whole: at most CORRELATION_SAMPLE rows, evenly spaced.
  const corr = correlationMatrix(
    sampleRows(current, CORRELATION_SAMPLE),
    Math.min(matrix.rows, CORRELATION_SAMPLE),
    d,
  );
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const r = corr[a * d + b];
      if (Math.abs(r) >= CORRELATION_FLAG) report.correlated.push({ a: names[a], b: names[b], r });
    }
  }

  let pca: Preprocessing['pca'] = null;
  let out = current;
  if (options.pca !== undefined) {
    pca = fitPca(current, options.pca);
    out = projectPca(current, pca);
  }
  const prep: Preprocessing = {
    features: names,
    impute,
    log,
    clip,
    scale,
    pca,
    outputs: pca ? pca.components.map((_c, p) => `pc${p + 1}`) : names,
  };
  return { prep, matrix: out, report };
}

/** Applies a fitted preprocessing to new rows (in place, then PCA into a new matrix). */
export function applyPreprocessing(
  prep: Preprocessing,
  matrix: DataMatrix,
  allocate: MatrixAllocator = allocateMatrix,
): DataMatrix {
  const steps = { impute: prep.impute, log: prep.log, clip: prep.clip, scale: prep.scale };
  const scaled = isIdentity(steps) ? matrix : applyElementwise(matrix, steps);
  return prep.pca ? projectPca(scaled, prep.pca, allocate) : scaled;
}

interface ElementwiseSteps {
  impute: Preprocessing['impute'];
  log: string[];
  clip: Preprocessing['clip'];
  scale: Preprocessing['scale'] | null;
}

/** True when the steps leave every value as it is (nothing to impute, log, clip or scale). */
function isIdentity(steps: ElementwiseSteps): boolean {
  const scale = steps.scale;
  const unscaled =
    !scale || (scale.centre.every((c) => c === 0) && scale.scale.every((v) => v === 1));
  return !steps.impute && steps.log.length === 0 && !steps.clip && unscaled;
}

/**
 * Applies the steps to every value: in place in a matrix of gpuseg's own, into a new matrix when
 * the matrix is the input's memory (borrowed), which is never written to. Returns the result.
 */
function applyElementwise(matrix: DataMatrix, steps: ElementwiseSteps): DataMatrix {
  const target = matrix.borrowed ? allocateMatrix(matrix.rows, matrix.features) : matrix;
  forgetColumnStats(target);
  for (let j = 0; j < matrix.dims; j++) {
    const src = column(matrix, j);
    const col = column(target, j);
    const fill = steps.impute ? steps.impute.values[j] : Number.NaN;
    const doLog = steps.log.includes(matrix.features[j]);
    const lo = steps.clip ? steps.clip.lower[j] : -Infinity;
    const hi = steps.clip ? steps.clip.upper[j] : Infinity;
    const centre = steps.scale ? steps.scale.centre[j] : 0;
    const inv = steps.scale ? 1 / steps.scale.scale[j] : 1;
    for (let i = 0; i < col.length; i++) {
      let v = src[i];
      if (v !== v) v = fill;
      if (doLog) v = v < 0 ? -Math.log1p(-v) : Math.log1p(v);
      if (v < lo) v = lo;
      else if (v > hi) v = hi;
      col[i] = (v - centre) * inv;
    }
  }
  return target;
}

function fitPca(matrix: DataMatrix, request: number): NonNullable<Preprocessing['pca']> {
  const d = matrix.dims;
  if (!(request > 0) || (request >= 1 && !Number.isInteger(request)) || request > d) {
    throw new UsageError(
      (opt) =>
        `${opt('pca')}: expected a number of components from 1 to ${d}, or a variance share in (0, 1), got ${request}`,
    );
  }
  const { mean, matrix: cov } = covarianceMatrix(matrix.data, matrix.rows, d);
  const { values, vectors } = symmetricEigen(cov, d);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0) || 1;
  const ratios = Array.from(values, (v) => Math.max(0, v) / total);
  let p = request;
  if (request < 1) {
    let cumulative = 0;
    p = d;
    for (let i = 0; i < d; i++) {
      cumulative += ratios[i];
      if (cumulative >= request - 1e-12) {
        p = i + 1;
        break;
      }
    }
  }
  const components: number[][] = [];
  for (let c = 0; c < p; c++) {
    const row = Array.from(vectors.subarray(c * d, (c + 1) * d));
    // svd_flip: the entry of largest magnitude is made positive.
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(row[j]) > Math.abs(row[big])) big = j;
    components.push(row[big] < 0 ? row.map((v) => -v) : row);
  }
  return { components, mean: Array.from(mean), explainedVarianceRatio: ratios.slice(0, p) };
}

function projectPca(
  matrix: DataMatrix,
  pca: NonNullable<Preprocessing['pca']>,
  allocate: MatrixAllocator = allocateMatrix,
): DataMatrix {
  const p = pca.components.length;
  const out = allocate(
    matrix.rows,
    pca.components.map((_c, c) => `pc${c + 1}`),
  );
  const n = matrix.rows;
  for (let c = 0; c < p; c++) {
    const w = pca.components[c];
    const dst = out.data.subarray(c * n, (c + 1) * n).fill(0); // the sums start here (an arena's memory is not cleared)
    for (let j = 0; j < matrix.dims; j++) {
      const src = matrix.data.subarray(j * n, (j + 1) * n);
      const wj = w[j];
      const mj = pca.mean[j];
      for (let i = 0; i < n; i++) dst[i] += (src[i] - mj) * wj;
    }
  }
  return out;
}

/**
 * Centres of the clustering space back in input units (rows of features): PCA reconstructed from
 * its components, scaling and the log undone. Clipping cannot be undone and needs not be: a centre
 * is a mean of clipped values, which lies within the clip bounds.
 */
export function centresToInputUnits(
  prep: Preprocessing,
  centres: Float32Array,
  k: number,
): number[][] {
  const d = prep.features.length;
  const q = prep.outputs.length;
  const rows: number[][] = [];
  for (let c = 0; c < k; c++) {
    const z = centres.subarray(c * q, (c + 1) * q);
    const x = new Array<number>(d).fill(0);
    if (prep.pca) {
      for (let j = 0; j < d; j++) {
        let s = prep.pca.mean[j];
        for (let p = 0; p < q; p++) s += z[p] * prep.pca.components[p][j];
        x[j] = s;
      }
    } else for (let j = 0; j < d; j++) x[j] = z[j];
    for (let j = 0; j < d; j++) {
      let v = x[j] * prep.scale.scale[j] + prep.scale.centre[j];
      if (prep.log.includes(prep.features[j])) v = v < 0 ? -Math.expm1(-v) : Math.expm1(v);
      x[j] = v;
    }
    rows.push(x);
  }
  return rows;
}

/** Rows given in input units (initial centres from a file), through the preprocessing. */
export function rowsFromInputUnits(
  prep: Preprocessing,
  rows: Float32Array,
  k: number,
): Float32Array {
  const m = allocateMatrix(k, prep.features);
  const d = prep.features.length;
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) m.data[j * k + c] = rows[c * d + j];
  const out = applyPreprocessing(prep, m);
  const q = out.dims;
  const result = new Float32Array(k * q);
  for (let c = 0; c < k; c++) for (let j = 0; j < q; j++) result[c * q + j] = out.data[j * k + c];
  return result;
}
