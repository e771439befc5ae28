import type { ExcludedColumn } from '../data/column-types.js';
import type { Table, Vector } from 'apache-arrow';
import { informationCriteria, parameterCount, type CovarianceType } from '../algo/gmm-math.js';
import { runGmm, type GmmInit, type GmmIterationStat } from '../algo/gmm.js';
import {
  runKMeans,
  type IterationStat,
  type KMeansInit,
  type KMeansResult,
} from '../algo/kmeans.js';
import { runMiniBatchKMeans } from '../algo/minibatch.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { ResilientBackend } from '../backend/resilient-backend.js';
import { openBackend, openHostBackend, type BackendChoice } from '../backend/select.js';
import { meanFeatureVariance } from '../data/matrix.js';
import { InputError, UsageError } from '../errors.js';
import { MODEL_FORMAT, MODEL_VERSION, type GmmModel, type SegmentModel } from '../model/model.js';
import {
  centresToInputUnits,
  rowsFromInputUnits,
  type PrepReport,
  type Preprocessing,
} from '../prep/preprocess.js';
import { GPUSEG_VERSION } from '../version.js';
import { assignmentsTable, mixtureTable } from './assignments.js';
import { describeSegments, segmentNameColumn, type NamingOptions } from './describe.js';
import type { Profiles } from '../segment/profile.js';
import { readInitCentres } from './init-file.js';
import type { TableInput } from './input.js';
import {
  COMMON_PARAMETERS,
  GMM_PARAMETERS,
  KMEANS_PARAMETERS,
  checkParameter,
  parameter,
} from './parameters.js';
import {
  excludedNotices,
  prepareData,
  prepNotices,
  type DataOptions,
  type PreparedData,
} from './prepare.js';
import { emptyComponentsNotice, noticeCollector } from './notices.js';

/** From this many rows, init 'auto' seeds k-means with k-means‖ rather than greedy k-means++. */
export const PARALLEL_SEEDING_MIN_ROWS = 200_000;

export interface FitOptions extends DataOptions, NamingOptions {
  /** Number of segments (≥ 1, ≤ rows). */
  k: number;
  /** 'kmeans' (default), 'minibatch-kmeans', or 'gmm' (a Gaussian mixture). */
  algorithm?: Algorithm;
  /** minibatch-kmeans: rows per batch (default 1024). */
  batchSize?: number;
  /** gmm: 'full' (default), 'tied', 'diag' or 'spherical'. */
  covariance?: CovarianceType;
  /** gmm: added to every covariance's diagonal (default 1e-6). */
  regCovar?: number;
  /** gmm: return (and output as p_0 … p_{k−1}) every segment's probability per row. */
  probabilities?: boolean;
  /**
   * k-means: 'auto' (default: k-means‖ from 200,000 rows, else k-means++), 'k-means++', 'k-means||'
   * or 'random'; gmm: 'kmeans' (default), 'k-means++' or 'random';
   * or a CSV/JSON file (or gpuseg model) path, or K initial centres/means in input units, feature
   * order (they go through the preprocessing).
   */
  init?: string | Float32Array | number[][];
  /** Runs with different seeds, the best kept; 'auto' (default): 10 for k-means with random init, else 1. */
  nInit?: number | 'auto';
  /** Most iterations per run (default 300 for k-means, 100 for gmm). */
  maxIter?: number;
  /** k-means: scikit-learn's tolerance (default 1e-4; 0 stops only when labels stop changing); gmm: on the mean log-likelihood per row (default 1e-3). */
  tol?: number;
  /** Random seed (default 0). */
  seed?: number;
  /** 'auto' (default), 'gpu' or 'cpu'. */
  backend?: BackendChoice;
  /** Called after every Lloyd iteration (k-means). */
  onIteration?: (stat: IterationStat) => void;
  /** Called after every EM iteration (gmm). */
  onEmIteration?: (stat: GmmIterationStat) => void;
  /** Called with notices (fallback to the CPU, imputed values, correlated features); also in `stats.notices`. */
  onNotice?: (message: string) => void;
}

export type Algorithm = 'kmeans' | 'minibatch-kmeans' | 'gmm';

export interface FitStats {
  algorithm: Algorithm;
  k: number;
  iterations: number;
  /** k-means: Σ squared distances to the centres, in the clustering space (after preprocessing); gmm: undefined. */
  inertia: number | undefined;
  /** gmm: mean log-likelihood per row under the final parameters (scikit-learn's score). */
  logLikelihood: number | undefined;
  bic: number | undefined;
  aic: number | undefined;
  /** gmm: components whose weight fell below one row. */
  emptyComponents: number;
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
  emHistory: GmmIterationStat[];
  notices: string[];
  preprocessing: PrepReport;
  /** Text columns that look numeric, left out of the default features: the first cell at fault. */
  excludedColumns: ExcludedColumn[];
}

export interface FitResult {
  model: SegmentModel;
  /** Segment of each input row, 0..k-1 (gmm: the most probable component). */
  labels: Int32Array;
  /** k-means: Euclidean distance of each row to its segment's centre, in the clustering space. */
  distances: Float32Array | undefined;
  /** gmm: probability of each row's segment. */
  probability: Float32Array | undefined;
  /** gmm with probabilities: every segment's probability, component-major (segment c at [c·N, (c+1)·N)). */
  probabilities: Float32Array | undefined;
  stats: FitStats;
  /** The output table: id (or row), segment_id, segment_name (when named), then distance (k-means) or probability and p_0 … (gmm). */
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
  const { notices, notice } = noticeCollector(options.onNotice);
  const {
    k,
    algorithm,
    maxIter,
    tol,
    batchSize,
    seed,
    backendChoice,
    covariance,
    regCovar,
    initOption,
    methods,
  } = checkFitSettings(options);
  const gmm = algorithm === 'gmm';
  const minibatch = algorithm === 'minibatch-kmeans';

  const data = await prepareData(input, options);
  const { matrix, prep, roles, table } = data;
  excludedNotices(roles).forEach(notice);
  prepNotices(data.report).forEach(notice);
  if (k > matrix.rows) throw new InputError(`k=${k} exceeds rows=${matrix.rows}; lower --k`);
  const { init, nInit } = await resolveInitialisation(
    { algorithm, initOption, methods, k },
    matrix.rows,
    prep,
    options.nInit,
    notice,
  );
  const meanVariance = meanFeatureVariance(matrix);

  const backend = await openBackend(backendChoice, notice);
  try {
    const started = performance.now();
    const handle = await backend.attach(matrix);
    const run = gmm
      ? await fitMixture(
          backend,
          handle,
          { k, covariance, init: init as GmmInit, nInit, maxIter, tol, regCovar, seed },
          meanVariance,
          options,
          notice,
        )
      : minibatch
        ? kmeansRun(
            await runMiniBatchKMeans(
              backend,
              handle,
              {
                k,
                batchSize,
                maxIter,
                tol,
                maxNoImprovement: 10,
                seed,
                init: init as 'k-means++' | 'random' | Float32Array,
              },
              meanVariance,
              openHostBackend,
              options.onIteration,
            ),
          )
        : await fitKMeans(
            backend,
            handle,
            { k, init: init as KMeansInit, nInit, maxIter, tol, seed },
            meanVariance,
            options,
          );
    await backend.detach(handle);
    const seconds = (performance.now() - started) / 1000;
    const counts = new Array<number>(k).fill(0);
    for (const l of run.labels) counts[l]++;
    const empty = counts.filter((c) => c === 0).length;
    if (empty > 0)
      notice(
        `${empty} of ${k} segments ended empty: the data may have fewer than k=${k} distinct rows`,
      );
    const { profiles, names } = describeSegments(table, roles, run.labels, k, options);
    const base = modelBase({
      prep,
      id: roles.id,
      k,
      centres: run.centres,
      iterations: run.iterations,
      converged: run.converged,
      rows: matrix.rows,
      backend,
      seed,
      init,
      nInit,
      maxIter,
      tol,
      names,
    });
    // A mini-batch model scores new rows exactly as a k-means one: nearest centre.
    const model: SegmentModel = run.gmm
      ? { ...base, algorithm: 'gmm', ...run.gmm }
      : {
          ...base,
          algorithm: 'kmeans',
          inertia: run.inertia!,
          ...(minibatch ? { trainedWith: 'minibatch-kmeans', batchSize } : {}),
        };
    return {
      model,
      labels: run.labels,
      distances: run.distances,
      probability: run.probability,
      probabilities: run.probabilities,
      assignments: outputTable(table, roles.id, run, names, k),
      profiles,
      names,
      data,
      stats: {
        algorithm,
        k,
        iterations: run.iterations,
        inertia: run.inertia,
        logLikelihood: run.gmm?.logLikelihood,
        bic: run.gmm?.bic,
        aic: run.gmm?.aic,
        emptyComponents: run.emptyComponents,
        converged: run.converged,
        backend: backend.kind,
        device: backend.deviceName,
        rows: matrix.rows,
        fellBack: backend instanceof ResilientBackend && backend.fellBack,
        seconds,
        seedPotential: run.seedPotential,
        emptyClusterRepairs: run.repairs,
        history: run.history,
        emHistory: run.emHistory,
        notices,
        preprocessing: data.report,
        excludedColumns: roles.excluded ?? [],
      },
    };
  } finally {
    await backend.dispose();
  }
}

/** fit()'s options checked and defaulted (scikit-learn's defaults per algorithm). */
export function checkFitSettings(options: FitOptions) {
  const k = checkParameter(parameter(KMEANS_PARAMETERS, 'k'), options.k) as number;
  const algorithm = checkParameter(
    parameter(KMEANS_PARAMETERS, 'algorithm'),
    options.algorithm ?? 'kmeans',
  ) as Algorithm;
  const gmm = algorithm === 'gmm';
  const minibatch = algorithm === 'minibatch-kmeans';
  // scikit-learn's defaults: KMeans 300 / 1e-4, MiniBatchKMeans 100 / 0 (early stopping instead), GaussianMixture 100 / 1e-3.
  const maxIter = checkParameter(
    parameter(KMEANS_PARAMETERS, 'maxIter'),
    options.maxIter ?? (gmm || minibatch ? 100 : 300),
  ) as number;
  const tol = checkParameter(
    parameter(KMEANS_PARAMETERS, 'tol'),
    options.tol ?? (gmm ? 1e-3 : minibatch ? 0 : 1e-4),
  ) as number;
  const batchSize = checkParameter(
    parameter(KMEANS_PARAMETERS, 'batchSize'),
    options.batchSize ?? 1024,
  ) as number;
  const seed = checkParameter(parameter(KMEANS_PARAMETERS, 'seed'), options.seed ?? 0) as number;
  const backendChoice = checkParameter(
    parameter(COMMON_PARAMETERS, 'backend'),
    options.backend ?? 'auto',
  ) as BackendChoice;
  const covariance = checkParameter(
    parameter(GMM_PARAMETERS, 'covariance'),
    options.covariance ?? 'full',
  ) as CovarianceType;
  const regCovar = checkParameter(
    parameter(GMM_PARAMETERS, 'regCovar'),
    options.regCovar ?? 1e-6,
  ) as number;
  const initOption = options.init ?? (gmm ? 'kmeans' : 'auto');
  const methods = gmm
    ? ['kmeans', 'k-means++', 'random']
    : minibatch
      ? ['auto', 'k-means++', 'random']
      : ['auto', 'k-means++', 'k-means||', 'random'];
  if (
    typeof initOption === 'string' &&
    !methods.includes(initOption) &&
    !/\.(json|csv|tsv|txt)$/i.test(initOption)
  ) {
    throw new UsageError(
      `--init: expected ${methods.join(', ')} or a .csv/.json file of centres, got '${initOption}'`,
    );
  }
  return {
    k,
    algorithm,
    maxIter,
    tol,
    batchSize,
    seed,
    backendChoice,
    covariance,
    regCovar,
    initOption,
    methods,
  };
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

/** What either algorithm hands back to fit(). */
interface AlgorithmRun {
  centres: Float32Array;
  labels: Int32Array;
  iterations: number;
  converged: boolean;
  inertia: number | undefined;
  distances: Float32Array | undefined;
  probability: Float32Array | undefined;
  probabilities: Float32Array | undefined;
  seedPotential: number | undefined;
  repairs: number;
  emptyComponents: number;
  history: IterationStat[];
  emHistory: GmmIterationStat[];
  gmm:
    | Pick<
        GmmModel,
        'covarianceType' | 'regCovar' | 'weights' | 'covariances' | 'logLikelihood' | 'bic' | 'aic'
      >
    | undefined;
}

async function fitKMeans(
  backend: Backend,
  handle: DatasetHandle,
  settings: Parameters<typeof runKMeans>[2],
  meanVariance: number,
  options: FitOptions,
): Promise<AlgorithmRun> {
  return kmeansRun(
    await runKMeans(backend, handle, settings, meanVariance, { onIteration: options.onIteration }),
  );
}

function kmeansRun(r: KMeansResult): AlgorithmRun {
  // In place: the squared distances are not needed once their roots are taken (4 bytes a row).
  const distances = r.sqDistances;
  for (let i = 0; i < distances.length; i++) distances[i] = Math.sqrt(distances[i]);
  return {
    centres: r.centres,
    labels: r.labels,
    iterations: r.iterations,
    converged: r.converged,
    inertia: r.inertia,
    distances,
    probability: undefined,
    probabilities: undefined,
    seedPotential: r.seedPotential,
    repairs: r.emptyClusterRepairs,
    emptyComponents: 0,
    history: r.history,
    emHistory: [],
    gmm: undefined,
  };
}

async function fitMixture(
  backend: Backend,
  handle: DatasetHandle,
  settings: Parameters<typeof runGmm>[2],
  meanVariance: number,
  options: FitOptions,
  notice: (message: string) => void,
): Promise<AlgorithmRun> {
  const r = await runGmm(backend, handle, settings, meanVariance, {
    probabilities: options.probabilities === true,
    onIteration: options.onEmIteration,
  });
  if (r.emptyComponents > 0) notice(emptyComponentsNotice(r.emptyComponents));
  const { bic, aic } = informationCriteria(
    r.logLikelihood,
    handle.rows,
    parameterCount(settings.covariance, settings.k, handle.dims),
  );
  return {
    centres: Float32Array.from(r.params.means),
    labels: r.labels,
    iterations: r.iterations,
    converged: r.converged,
    inertia: undefined,
    distances: undefined,
    probability: r.probability,
    probabilities: r.probabilities,
    seedPotential: undefined,
    repairs: 0,
    emptyComponents: r.emptyComponents,
    history: [],
    emHistory: r.history,
    gmm: {
      covarianceType: settings.covariance,
      regCovar: settings.regCovar,
      weights: Array.from(r.params.weights),
      covariances: Array.from(r.params.covariances),
      logLikelihood: r.logLikelihood,
      bic,
      aic,
    },
  };
}

/** The per-row output of either algorithm. */
function outputTable(
  table: Table,
  id: string | undefined,
  run: AlgorithmRun,
  names: string[] | undefined,
  k: number,
): Table {
  const named: Record<string, Vector> = names
    ? { segment_name: segmentNameColumn(run.labels, names) }
    : {};
  // (the distances go in as they are: assignmentsTable takes square roots only when given none)
  if (run.distances)
    return assignmentsTable(table, id, run.labels, run.distances, named, run.distances);
  return mixtureTable(table, id, run.labels, run.probability!, run.probabilities, k, named);
}

/**
 * The initialisation a fit on `rows` rows runs with, and how many runs: 'auto' is k-means‖ from
 * PARALLEL_SEEDING_MIN_ROWS rows (mini-batch k-means: always k-means++); a file or array of
 * centres goes through the preprocessing.
 */
export async function resolveInitialisation(
  s: Pick<ReturnType<typeof checkFitSettings>, 'algorithm' | 'initOption' | 'methods' | 'k'>,
  rows: number,
  prep: Preprocessing,
  nInitOption: FitOptions['nInit'],
  notice: (message: string) => void,
): Promise<{ init: KMeansInit | GmmInit; nInit: number }> {
  const method =
    s.initOption === 'auto'
      ? rows >= PARALLEL_SEEDING_MIN_ROWS && s.algorithm !== 'minibatch-kmeans'
        ? 'k-means||'
        : 'k-means++'
      : s.initOption;
  const init =
    typeof method === 'string' && s.methods.includes(method)
      ? (method as KMeansInit & GmmInit)
      : await resolveInit(method, s.k, prep);
  return { init, nInit: resolveNInit(nInitOption ?? 'auto', init, notice) };
}

/** Initial centres in the clustering space: explicit ones (input units) go through the preprocessing. */
export async function resolveInit(
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

export function resolveNInit(
  value: number | 'auto',
  init: KMeansInit,
  notice: (m: string) => void,
): number {
  if (value === 'auto') return init === 'random' ? 10 : 1;
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--n-init: expected 'auto' or an integer ≥ 1, got '${value}'`);
  if (init instanceof Float32Array && runs > 1) {
    notice(
      `--n-init ${runs} ignored: explicit initial centres give the same run every time; using 1`,
    );
    return 1;
  }
  return runs;
}
