import {
  defaultGamma,
  kprototypesScale,
  runKPrototypes,
  type KPrototypesResult,
} from '../algo/kprototypes.js';
import type { IterationStat, KMeansInit } from '../algo/kmeans.js';
import type { GmmInit } from '../algo/gmm.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { matrixColumnStats } from '../data/column-stats-kernel.js';
import type { DataMatrix } from '../data/matrix.js';
import { UsageError } from '../errors.js';
import { appendIndicators, type CategoricalEncoding } from '../prep/categorical.js';
import type { CategoricalData } from './categorical-data.js';
import type { Algorithm } from './parameters.js';
import type { ColumnRoles } from '../data/schema.js';

/**
 * The categorical side of `fit`: the checks that tie --categorical to the algorithm and the
 * initialisation, k-prototypes' data space and run, and the model fields of either.
 */

/** --categorical with an algorithm and an init it can run with; explicit centres have no categories. */
export function checkCategoricalFit(
  algorithm: Algorithm,
  data: Pick<CategoricalData, 'encoding'> & { roles: ColumnRoles },
  initOption: unknown,
  methods: readonly string[],
): void {
  const { encoding } = data;
  const detected = (data.roles.categoricalLeftOut ?? []).map((c) => c.column);
  if (algorithm === 'kprototypes' && !encoding)
    throw new UsageError(
      (opt) =>
        `${opt('algorithm')} kprototypes: name the categorical columns with ${opt('categorical')}${detected.length ? ` (found: ${detected.join(',')})` : ''}`,
    );
  if (!encoding) return;
  if (algorithm === 'gmm')
    throw new UsageError(
      (opt) =>
        `${opt('categorical')}: not available with ${opt('algorithm')} gmm (one-hot columns make singular covariances); use kmeans or kprototypes`,
    );
  if (algorithm === 'kprototypes' && initOption === 'k-means||')
    throw new UsageError(
      (opt) =>
        `${opt('init')}: k-means|| averages candidates, which would blur the modes; kprototypes takes auto, k-means++ or random`,
    );
  if (typeof initOption !== 'string' || !methods.includes(initOption))
    throw new UsageError(
      (opt) =>
        `${opt('init')}: initial centres from a file or array are not available with ${opt('categorical')} (they have no categories); use a method (k-means++, random)`,
    );
}

/** The first `dims` columns of a column-major matrix, without a copy. */
function leadingColumns(matrix: DataMatrix, dims: number): DataMatrix {
  return {
    rows: matrix.rows,
    dims,
    features: matrix.features.slice(0, dims),
    data: matrix.data.subarray(0, matrix.rows * dims),
  };
}

export interface KPrototypesSpace {
  /** The numeric clustering columns × √(2/γ), then 0/1 indicators (algo/kprototypes.ts). */
  matrix: DataMatrix;
  gamma: number;
  categories: number[];
  numericDims: number;
}

/**
 * k-prototypes' dataset from the prepared data (undefined for the other algorithms): γ given, or
 * Huang's default from the numeric spreads.
 */
export function kprototypesSpace(
  algorithm: Algorithm,
  data: CategoricalData,
  gamma: number | undefined,
): KPrototypesSpace | undefined {
  if (algorithm !== 'kprototypes') return undefined;
  const encoding = data.encoding!;
  const numeric = leadingColumns(data.matrix, data.numericDims);
  const stds = Array.from({ length: numeric.dims }, (_, j) => matrixColumnStats(numeric, j).std);
  const g = gamma ?? defaultGamma(stds);
  return {
    matrix: appendIndicators(numeric, data.codes, encoding, () => 1, kprototypesScale(g)),
    gamma: g,
    categories: encoding.columns.map((c) => c.categories.length),
    numericDims: numeric.dims,
  };
}

/**
 * Runs k-prototypes on the attached space (k-means' nearest-centre steps there: fit() dispatches
 * it where k-means runs); returns the run in the shape fit() reports.
 */
export async function fitKPrototypes(
  backend: Backend,
  handle: DatasetHandle,
  space: KPrototypesSpace,
  s: {
    k: number;
    init: KMeansInit | GmmInit;
    nInit: number;
    maxIter: number;
    tol: number;
    seed: number;
  },
  { onIteration }: { onIteration?: (stat: IterationStat) => void },
) {
  const r: KPrototypesResult = await runKPrototypes(
    backend,
    handle,
    {
      k: s.k,
      gamma: space.gamma,
      numericDims: space.numericDims,
      categories: space.categories,
      // (fit-settings never resolves kprototypes' 'auto' to k-means‖: its averaged centres have no modes.)
      init: s.init === 'random' ? 'random' : 'k-means++',
      nInit: s.nInit,
      maxIter: s.maxIter,
      tol: s.tol,
      seed: s.seed,
    },
    onIteration && ((stat) => onIteration({ ...stat, inertia: stat.cost, shift: Number.NaN })),
  );
  const c = space.categories.length;
  return {
    centres: Float32Array.from(r.means),
    labels: r.labels,
    iterations: r.iterations,
    converged: r.converged,
    inertia: r.cost,
    distances: Float32Array.from(r.costs, Math.sqrt),
    probability: undefined,
    probabilities: undefined,
    seedPotential: undefined,
    repairs: r.emptyClusterRepairs,
    emptyComponents: 0,
    history: r.history.map((h) => ({ ...h, inertia: h.cost, shift: Number.NaN })),
    emHistory: [],
    gmm: undefined,
    kprototypes: {
      // The means in float64 (modelBase's rows would be the float32 rounding of them).
      centres: Array.from({ length: s.k }, (_, k) =>
        Array.from(r.means.subarray(k * space.numericDims, (k + 1) * space.numericDims)),
      ),
      gamma: space.gamma,
      cost: r.cost,
      modes: Array.from({ length: s.k }, (_, k) =>
        Array.from(r.modes.subarray(k * c, (k + 1) * c)),
      ),
    },
  };
}

/**
 * The model fields of a categorical fit: the encoding, and for k-means the full centres (numeric
 * then weighted one-hot columns); `numeric` are the centres' numeric columns, for modelBase.
 */
export function categoricalModelFields(
  data: CategoricalData,
  centres: Float32Array,
  k: number,
  kprototypes: boolean,
): { numeric: Float32Array; fields: { categorical?: CategoricalEncoding; centres?: number[][] } } {
  if (!data.encoding) return { numeric: centres, fields: {} };
  if (kprototypes) return { numeric: centres, fields: { categorical: data.encoding } };
  const d = data.matrix.dims;
  const q = data.numericDims;
  const numeric = new Float32Array(k * q);
  for (let c = 0; c < k; c++) numeric.set(centres.subarray(c * d, c * d + q), c * q);
  const rows = Array.from({ length: k }, (_, c) =>
    Array.from(centres.subarray(c * d, (c + 1) * d)),
  );
  return { numeric, fields: { categorical: data.encoding, centres: rows } };
}
