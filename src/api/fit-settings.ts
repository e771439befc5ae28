import type { GmmInit } from '../algo/gmm.js';
import type { KMeansInit } from '../algo/kmeans.js';
import type { Backend } from '../backend/backend.js';
import { UsageError } from '../errors.js';
import { MODEL_FORMAT, MODEL_VERSION } from '../model/model.js';
import { centresToInputUnits, rowsFromInputUnits, type Preprocessing } from '../prep/preprocess.js';
import { GPUSEG_VERSION } from '../version.js';
import { readInitCentres } from './init-file.js';
import type { NoticeSink } from './notices.js';
import {
  BIRCH_PARAMETERS,
  COMMON_PARAMETERS,
  DBSCAN_PARAMETERS,
  GMM_PARAMETERS,
  HIERARCHY_PARAMETERS,
  KMEANS_PARAMETERS,
  KPROTOTYPES_PARAMETERS,
  parameter,
  resolveParameters,
  type ParameterOptions,
} from './parameters.js';

/** From this many rows, init 'auto' seeds k-means with k-means‖ rather than greedy k-means++. */
const PARALLEL_SEEDING_MIN_ROWS = 200_000;

/** The parameters of a fit (the table's: each with its flag, default and constraint). */
export const FIT_PARAMETERS = [
  ...KMEANS_PARAMETERS,
  ...GMM_PARAMETERS,
  ...KPROTOTYPES_PARAMETERS,
  ...HIERARCHY_PARAMETERS,
  ...DBSCAN_PARAMETERS,
  ...BIRCH_PARAMETERS,
  parameter(COMMON_PARAMETERS, 'backend'),
] as const;

/** fit()'s options checked and defaulted (scikit-learn's defaults per algorithm, from the table). */
export function checkFitSettings(options: ParameterOptions<typeof FIT_PARAMETERS>) {
  const { algorithm } = resolveParameters([parameter(KMEANS_PARAMETERS, 'algorithm')], options);
  const { k, maxIter, tol, batchSize, seed, backend, covariance, regCovar, init, nInit } =
    resolveParameters(FIT_PARAMETERS, options, algorithm);
  if (k === undefined)
    throw new UsageError(
      (opt) =>
        `${opt('k')}: expected an integer ≥ 1, required by ${opt('algorithm')} ${algorithm} (dbscan takes none)`,
    );
  const gmm = algorithm === 'gmm';
  const minibatch = algorithm === 'minibatch-kmeans';
  const initOption = init ?? (gmm ? 'kmeans' : 'auto');
  const methods = gmm
    ? ['kmeans', 'k-means++', 'random']
    : minibatch || algorithm === 'kprototypes' || algorithm === 'bisecting'
      ? ['auto', 'k-means++', 'random']
      : ['auto', 'k-means++', 'k-means||', 'random'];
  if (
    typeof initOption === 'string' &&
    !methods.includes(initOption) &&
    !/\.(json|csv|tsv|txt)$/i.test(initOption)
  ) {
    throw new UsageError(
      (opt) =>
        `${opt('init')}: expected ${methods.join(', ')} or a .csv/.json file of centres, got '${initOption}'`,
    );
  }
  return {
    k,
    algorithm,
    maxIter,
    tol,
    batchSize,
    seed,
    backendChoice: backend,
    covariance,
    regCovar,
    initOption,
    nInitOption: nInit,
    methods,
  };
}

type FitSettings = ReturnType<typeof checkFitSettings>;

/**
 * The initialisation a fit on `rows` rows runs with, and how many runs: 'auto' is k-means‖ from
 * PARALLEL_SEEDING_MIN_ROWS rows (mini-batch k-means: always k-means++); a file or array of
 * centres goes through the preprocessing.
 */
export async function resolveInitialisation(
  s: Pick<FitSettings, 'algorithm' | 'initOption' | 'methods' | 'k' | 'nInitOption'>,
  rows: number,
  prep: Preprocessing,
  notice: NoticeSink,
): Promise<{ init: KMeansInit | GmmInit; nInit: number }> {
  const method =
    s.initOption === 'auto' && s.algorithm === 'bisecting'
      ? 'random' // scikit-learn's BisectingKMeans default
      : s.initOption === 'auto'
        ? rows >= PARALLEL_SEEDING_MIN_ROWS &&
          s.algorithm !== 'minibatch-kmeans' &&
          s.algorithm !== 'kprototypes'
          ? 'k-means||'
          : 'k-means++'
        : s.initOption;
  const init =
    typeof method === 'string' && s.methods.includes(method)
      ? (method as KMeansInit & GmmInit)
      : await resolveInit(method, s.k, prep);
  // BisectingKMeans runs each bisection once by default, whatever its init.
  const nInit =
    s.algorithm === 'bisecting' && s.nInitOption === 'auto'
      ? 1
      : resolveNInit(s.nInitOption, init, notice);
  return { init, nInit };
}

/** Initial centres in the clustering space: explicit ones (input units) go through the preprocessing. */
async function resolveInit(
  init: string | Float32Array | number[][],
  k: number,
  prep: Preprocessing,
): Promise<KMeansInit> {
  if (init === 'k-means++' || init === 'random') return init;
  const d = prep.features.length;
  let flat: Float32Array;
  if (typeof init === 'string') flat = await readInitCentres(init, k, prep.features);
  else {
    flat = init instanceof Float32Array ? init : Float32Array.from(init.flat());
    const rowsOk = init instanceof Float32Array || init.every((r) => r.length === d);
    if (flat.length !== k * d || !rowsOk)
      throw new UsageError(
        `init: expected ${k} centres × ${d} features, got ${init instanceof Float32Array ? `${flat.length} values` : `${init.length} rows`}`,
      );
    if (!flat.every(Number.isFinite)) throw new UsageError('init: centres must be finite numbers');
  }
  return rowsFromInputUnits(prep, flat, k);
}

/** Runs: 'auto' is 10 for random init, else 1 (scikit-learn's rule); explicit centres run once. */
function resolveNInit(value: number | 'auto', init: KMeansInit, notice: NoticeSink): number {
  if (value === 'auto') return init === 'random' ? 10 : 1;
  if (init instanceof Float32Array && value > 1) {
    notice(
      (opt) =>
        `${opt('nInit')} ${value} ignored: explicit initial centres give the same run every time; using 1`,
    );
    return 1;
  }
  return value;
}

/** The fields every model shares, from a finished run. */
export function modelBase(r: {
  prep: Preprocessing;
  id: string | undefined;
  k: number;
  centres: Float32Array;
  iterations: number;
  converged: boolean;
  rows: number;
  backend: Backend;
  seed: number;
  init: KMeansInit | GmmInit;
  nInit: number;
  maxIter: number;
  tol: number;
  names: string[] | undefined;
}) {
  const q = r.prep.outputs.length;
  return {
    format: MODEL_FORMAT as typeof MODEL_FORMAT,
    version: MODEL_VERSION,
    gpusegVersion: GPUSEG_VERSION,
    features: [...r.prep.features],
    idColumn: r.id ?? null,
    k: r.k,
    preprocessing: r.prep,
    centres: Array.from({ length: r.k }, (_, c) =>
      Array.from(r.centres.subarray(c * q, (c + 1) * q)),
    ),
    centresInputUnits: centresToInputUnits(r.prep, r.centres, r.k),
    iterations: r.iterations,
    converged: r.converged,
    rows: r.rows,
    backend: r.backend.kind,
    device: r.backend.deviceName,
    seed: r.seed,
    init: r.init instanceof Float32Array ? 'explicit' : r.init,
    nInit: r.nInit,
    maxIter: r.maxIter,
    tol: r.tol,
    ...(r.names ? { segmentNames: r.names } : {}),
  };
}
