import { inFlight, type RunOptions } from './lifecycle.js';
import type { ExcludedColumn } from '../data/column-types.js';
import type { Table, Vector } from 'apache-arrow';
import { informationCriteria, parameterCount } from '../algo/gmm-math.js';
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
import { openBackend, openHostBackend } from '../backend/select.js';
import { meanFeatureVariance } from '../data/matrix.js';
import { InputError } from '../errors.js';
import type { GmmModel, SegmentModel } from '../model/model.js';
import type { PrepReport, Preprocessing } from '../prep/preprocess.js';
import { assignmentsTable, mixtureTable } from './assignments.js';
import { describeSegments, segmentNameColumn, type NamingOptions } from './describe.js';
import {
  checkFitSettings,
  modelBase,
  resolveInitialisation,
  type FIT_PARAMETERS,
} from './fit-settings.js';
import type { TableInput } from './input.js';
import type { Algorithm, ParameterOptions } from './parameters.js';
import { excludedNotices, prepareData, prepNotices, type DataOptions } from './prepare.js';
import { emptyComponentsNotice, noticeCollector } from './notices.js';
import { fitResult, type FitResult } from './fit-result.js';

/**
 * What `fit` takes. The algorithm's parameters — `algorithm`, `batchSize`, `init`, `nInit`,
 * `maxIter`, `tol`, `seed`, `covariance`, `regCovar`, `backend` — are typed from the parameter
 * table (api/parameters.ts), where each has its description, default and constraint (k-means
 * defaults to 300 iterations and tol 1e-4, mini-batch k-means to 100 and 0, gmm to 100 and 1e-3,
 * as scikit-learn's). `init` is a method's name ('auto': k-means‖ from 200,000 rows, else
 * k-means++), a CSV/JSON file (or gpuseg model) path, or K initial centres/means in input units,
 * feature order (they go through the preprocessing).
 */
export interface FitOptions
  extends DataOptions, NamingOptions, RunOptions, ParameterOptions<typeof FIT_PARAMETERS> {
  /** Number of segments (≥ 1, ≤ rows). */
  k: number;
  /** gmm: return (and output as p_0 … p_{k−1}) every segment's probability per row. */
  probabilities?: boolean;
  /** Called after every Lloyd iteration (k-means). */
  onIteration?: (stat: IterationStat) => void;
  /** Called after every EM iteration (gmm). */
  onEmIteration?: (stat: GmmIterationStat) => void;
  /** Called with notices (fallback to the CPU, imputed values, correlated features); also in `stats.notices`. */
  onNotice?: (message: string) => void;
  /** A saved preprocessing to apply as it is instead of fitting one (--history's later periods). */
  frozenPreprocessing?: Preprocessing;
}

export type { Algorithm };

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

export type { FitResult, GmmFitResult, KMeansFitResult } from './fit-result.js';

/**
 * Fits k-means, mini-batch k-means or a Gaussian mixture to a table (or a file) and returns the
 * model, the labels, the per-row output, the profiles and the run's statistics.
 */
export async function fit(input: TableInput, options: FitOptions): Promise<FitResult> {
  return inFlight(options, () => fitRun(input, options));
}

async function fitRun(input: TableInput, options: FitOptions): Promise<FitResult> {
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
    nInitOption,
    methods,
  } = checkFitSettings(options);
  const gmm = algorithm === 'gmm';
  const minibatch = algorithm === 'minibatch-kmeans';

  const data = await prepareData(input, options, options.frozenPreprocessing);
  const { matrix, prep, roles, table } = data;
  excludedNotices(roles).forEach(notice);
  prepNotices(data.report).forEach(notice);
  if (k > matrix.rows)
    throw new InputError((opt) => `k=${k} exceeds rows=${matrix.rows}; lower ${opt('k')}`);
  const { init, nInit } = await resolveInitialisation(
    { algorithm, initOption, nInitOption, methods, k },
    matrix.rows,
    prep,
    notice,
  );
  const meanVariance = meanFeatureVariance(matrix);

  const backend = await openBackend(backendChoice, notice, options);
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
    return fitResult(
      {
        labels: run.labels,
        assignments: outputTable(table, roles.id, run, names, k),
        profiles,
        names,
        sizes: counts,
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
      },
      algorithm,
      model,
      run,
    );
  } finally {
    await backend.dispose();
  }
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
