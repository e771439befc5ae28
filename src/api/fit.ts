import type { Table } from 'apache-arrow';
import { runKMeans, type IterationStat, type KMeansInit } from '../algo/kmeans.js';
import { ResilientBackend } from '../backend/resilient-backend.js';
import { openBackend, type BackendChoice } from '../backend/select.js';
import { columnStats } from '../data/matrix.js';
import { InputError, UsageError } from '../errors.js';
import { MODEL_FORMAT, MODEL_VERSION, type KMeansModel } from '../model/model.js';
import { centresToInputUnits, rowsFromInputUnits, type PrepReport, type Preprocessing } from '../prep/preprocess.js';
import { GPUSEG_VERSION } from '../version.js';
import { assignmentsTable } from './assignments.js';
import { describeSegments, segmentNameColumn, type NamingOptions } from './describe.js';
import type { Profiles } from '../segment/profile.js';
import { readInitCentres } from './init-file.js';
import type { TableInput } from './input.js';
import { COMMON_PARAMETERS, KMEANS_PARAMETERS, checkParameter, parameter } from './parameters.js';
import { prepareData, prepNotices, type DataOptions, type PreparedData } from './prepare.js';

export interface FitOptions extends DataOptions, NamingOptions {
  /** Number of segments (≥ 1, ≤ rows). */
  k: number;
  /**
   * 'k-means++' (default), 'random', a CSV/JSON file (or gpuseg model) path, or K initial centres.
   * Explicit centres are in input units, feature order; they go through the preprocessing.
   */
  init?: string | Float32Array | number[][];
  /** Runs with different seeds, best inertia kept; 'auto' (default): 1 for k-means++ and explicit centres, 10 for random. */
  nInit?: number | 'auto';
  /** Most iterations per run (default 300). */
  maxIter?: number;
  /** scikit-learn's tolerance (default 1e-4); 0 stops only when labels stop changing. */
  tol?: number;
  /** Random seed (default 0). */
  seed?: number;
  /** 'auto' (default), 'gpu' or 'cpu'. */
  backend?: BackendChoice;
  /** Called after every Lloyd iteration. */
  onIteration?: (stat: IterationStat) => void;
  /** Called with notices (fallback to the CPU, imputed values, correlated features); also in `stats.notices`. */
  onNotice?: (message: string) => void;
}

export interface FitStats {
  k: number;
  iterations: number;
  /** Σ squared distances to the centres, in the clustering space (after preprocessing). */
  inertia: number;
  converged: boolean;
  backend: string;
  device: string;
  rows: number;
  /** True when a GPU failure moved the run to the CPU part-way (backend is then 'cpu'). */
  fellBack: boolean;
  /** Fit time in seconds: from the data being in memory to the final labels (excludes reading the input). */
  seconds: number;
  seedPotential: number | undefined;
  emptyClusterRepairs: number;
  history: IterationStat[];
  notices: string[];
  preprocessing: PrepReport;
}

export interface FitResult {
  model: KMeansModel;
  /** Segment of each input row, 0..k-1. */
  labels: Int32Array;
  /** Euclidean distance of each row to its segment's centre, in the clustering space. */
  distances: Float32Array;
  stats: FitStats;
  /** The output table: id (or row), segment_id, segment_name (when named), distance. */
  assignments: Table;
  /** How each segment differs from the average, over the features and the profile columns. */
  profiles: Profiles;
  /** Segment names (personas from RFM columns, or a names file); undefined when unnamed. */
  names: string[] | undefined;
  /** The input table and the prepared data, for profiles. */
  data: PreparedData;
}

/** Fits k-means to a table (or a file) and returns the model, the labels and the run's statistics. */
export async function fit(input: TableInput, options: FitOptions): Promise<FitResult> {
  const notices: string[] = [];
  const notice = (message: string): void => {
    notices.push(message);
    options.onNotice?.(message);
  };
  const k = checkParameter(parameter(KMEANS_PARAMETERS, 'k'), options.k) as number;
  const maxIter = checkParameter(parameter(KMEANS_PARAMETERS, 'maxIter'), options.maxIter ?? 300) as number;
  const tol = checkParameter(parameter(KMEANS_PARAMETERS, 'tol'), options.tol ?? 1e-4) as number;
  const seed = checkParameter(parameter(KMEANS_PARAMETERS, 'seed'), options.seed ?? 0) as number;
  const backendChoice = checkParameter(parameter(COMMON_PARAMETERS, 'backend'), options.backend ?? 'auto') as BackendChoice;

  const data = await prepareData(input, options);
  const { matrix, prep, roles, table } = data;
  prepNotices(data.report).forEach(notice);
  if (k > matrix.rows) throw new InputError(`k=${k} exceeds rows=${matrix.rows}; lower --k`);
  const init = await resolveInit(options.init ?? 'k-means++', k, prep);
  const nInit = resolveNInit(options.nInit ?? 'auto', init, notice);
  const stats = columnStats(matrix);
  const meanVariance = stats.variance.reduce((s, v) => s + v, 0) / matrix.dims;

  const backend = await openBackend(backendChoice, notice);
  try {
    const started = performance.now();
    const handle = await backend.attach(matrix);
    const result = await runKMeans(backend, handle, { k, init, nInit, maxIter, tol, seed }, meanVariance, { onIteration: options.onIteration });
    await backend.detach(handle);
    const seconds = (performance.now() - started) / 1000;
    const counts = new Array<number>(k).fill(0);
    for (const l of result.labels) counts[l]++;
    const empty = counts.filter((c) => c === 0).length;
    if (empty > 0) notice(`${empty} of ${k} segments ended empty: the data may have fewer than k=${k} distinct rows`);
    const distances = new Float32Array(result.sqDistances.length);
    for (let i = 0; i < distances.length; i++) distances[i] = Math.sqrt(result.sqDistances[i]);
    const q = matrix.dims;
    const { profiles, names } = describeSegments(table, roles, result.labels, k, options);
    const model: KMeansModel = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      gpusegVersion: GPUSEG_VERSION,
      algorithm: 'kmeans',
      features: [...prep.features],
      idColumn: roles.id ?? null,
      k,
      preprocessing: prep,
      centres: Array.from({ length: k }, (_, c) => Array.from(result.centres.subarray(c * q, (c + 1) * q))),
      centresInputUnits: centresToInputUnits(prep, result.centres, k),
      inertia: result.inertia,
      iterations: result.iterations,
      converged: result.converged,
      rows: matrix.rows,
      backend: backend.kind,
      device: backend.deviceName,
      seed,
      init: init instanceof Float32Array ? 'explicit' : init,
      nInit,
      maxIter,
      tol,
      ...(names ? { segmentNames: names } : {}),
    };
    return {
      model,
      labels: result.labels,
      distances,
      assignments: assignmentsTable(table, roles.id, result.labels, result.sqDistances, names ? { segment_name: segmentNameColumn(result.labels, names) } : {}),
      profiles,
      names,
      data,
      stats: {
        k,
        iterations: result.iterations,
        inertia: result.inertia,
        converged: result.converged,
        backend: backend.kind,
        device: backend.deviceName,
        rows: matrix.rows,
        fellBack: backend instanceof ResilientBackend && backend.fellBack,
        seconds,
        seedPotential: result.seedPotential,
        emptyClusterRepairs: result.emptyClusterRepairs,
        history: result.history,
        notices,
        preprocessing: data.report,
      },
    };
  } finally {
    await backend.dispose();
  }
}

/** Initial centres in the clustering space: explicit ones (input units) go through the preprocessing. */
export async function resolveInit(init: string | Float32Array | number[][], k: number, prep: Preprocessing): Promise<KMeansInit> {
  if (init === 'k-means++' || init === 'random') return init;
  const d = prep.features.length;
  let flat: Float32Array;
  if (typeof init === 'string') flat = await readInitCentres(init, k, prep.features);
  else {
    flat = init instanceof Float32Array ? init : Float32Array.from(init.flat());
    const rowsOk = init instanceof Float32Array || init.every((r) => r.length === d);
    if (flat.length !== k * d || !rowsOk) throw new UsageError(`init: expected ${k} centres × ${d} features, got ${init instanceof Float32Array ? `${flat.length} values` : `${init.length} rows`}`);
    if (!flat.every(Number.isFinite)) throw new UsageError('init: centres must be finite numbers');
  }
  return rowsFromInputUnits(prep, flat, k);
}

export function resolveNInit(value: number | 'auto', init: KMeansInit, notice: (m: string) => void): number {
  if (value === 'auto') return init === 'random' ? 10 : 1;
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--n-init: expected 'auto' or an integer ≥ 1, got '${value}'`);
  if (init instanceof Float32Array && runs > 1) {
    notice(`--n-init ${runs} ignored: explicit initial centres give the same run every time; using 1`);
    return 1;
  }
  return runs;
}
