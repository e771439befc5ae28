import { fitKMeans, fitMixture, kmeansRun, outputTable } from './algorithm-run.js';
import { inFlight, type RunOptions } from './lifecycle.js';
import type { ExcludedColumn } from '../data/column-types.js';
import type { GmmInit, GmmIterationStat } from '../algo/gmm.js';
import type { IterationStat, KMeansInit } from '../algo/kmeans.js';
import type { GmmParameters } from '../algo/gmm-math.js';
import { runMiniBatchKMeans } from '../algo/minibatch.js';
import { ResilientBackend } from '../backend/resilient-backend.js';
import { openBackend, openHostBackend } from '../backend/select.js';
import { meanFeatureVariance } from '../data/matrix.js';
import { InputError } from '../errors.js';
import type { SegmentModel } from '../model/model.js';
import type { PrepReport, Preprocessing } from '../prep/preprocess.js';
import { describeSegmentsLazily, type NamingOptions } from './describe.js';
import {
  checkFitSettings,
  modelBase,
  resolveInitialisation,
  type FIT_PARAMETERS,
} from './fit-settings.js';
import type { TableInput } from './input.js';
import type { Algorithm, ParameterOptions } from './parameters.js';
import { excludedNotices, prepareData, prepNotices, type DataOptions } from './prepare.js';
import { noticeCollector, type NoticeListener } from './notices.js';
import * as categorical from './fit-kprototypes.js';
import { fitDbscan } from './fit-dbscan.js';
import { fitBirch } from './fit-birch.js';
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
  /** Number of segments (≥ 1, ≤ rows); not taken by dbscan, whose clusters come from the data. */
  k?: number;
  /** gmm: return (and output as p_0 … p_{k−1}) every segment's probability per row. */
  probabilities?: boolean;
  /** Called after every Lloyd iteration (k-means). */
  onIteration?: (stat: IterationStat) => void;
  /** Called after every EM iteration (gmm). */
  onEmIteration?: (stat: GmmIterationStat) => void;
  /**
   * Called with notices (fallback to the CPU, imputed values, correlated features); also in
   * `stats.notices`. The text names options as the API does; `notice.messageFor('flag')` names
   * the CLI's flags.
   */
  onNotice?: NoticeListener;
  /** A saved preprocessing to apply as it is instead of fitting one (--history's later periods). */
  frozenPreprocessing?: Preprocessing;
  /**
   * gmm: a previous mixture (in the frozen preprocessing's space) to start EM from (--history's
   * later periods); used when its covariance type, k and dimensions match this fit's, else ignored.
   */
  mixtureWarmStart?: GmmParameters;
}

export type { Algorithm };

export interface FitStats {
  algorithm: Algorithm;
  k: number;
  iterations: number;
  /** k-means: Σ squared distances to the centres, in the clustering space; kprototypes: its cost; gmm: undefined. */
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
  /**
   * In-memory fits: where the wall time went, in seconds — reading and preparing the data
   * (`prepare`: read, matrix, preprocessing, tolerance), opening the backend (`backend`), the
   * passes (`passes`, = seconds) and the per-row output (`outputs`: names, table). Profiles are
   * computed on first read and counted nowhere here.
   */
  timing?: { prepare: number; backend: number; passes: number; outputs: number };
  seedPotential: number | undefined;
  emptyClusterRepairs: number;
  history: IterationStat[];
  emHistory: GmmIterationStat[];
  notices: string[];
  preprocessing: PrepReport;
  /** Text columns that look numeric, left out of the default features: the first cell at fault. */
  excludedColumns: ExcludedColumn[];
  /** dbscan: the eps used (the knee's for 'auto'), min-samples, noise rows and core rows. */
  dbscan?: { eps: number; minSamples: number; noise: number; corePoints: number };
  /** birch: the CF-tree's threshold, branching factor and leaf subclusters. */
  birch?: { threshold: number; branchingFactor: number; subclusters: number };
}

export type { FitResult, GmmFitResult, KMeansFitResult, OtherFitResult } from './fit-result.js';

/**
 * Fits k-means, mini-batch k-means or a Gaussian mixture to a table (or a file) and returns the
 * model, the labels, the per-row output, the profiles and the run's statistics.
 */
export async function fit(input: TableInput, options: FitOptions): Promise<FitResult> {
  // (options?: fitRun names a missing or wrong options argument as the other checks do)
  const run =
    options?.algorithm === 'dbscan'
      ? fitDbscan
      : options?.algorithm === 'birch'
        ? fitBirch
        : fitRun;
  return inFlight(options, () => run(input, options));
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
  const warmStart = options.mixtureWarmStart;
  const minibatch = algorithm === 'minibatch-kmeans';

  const since = (t: number): number => (performance.now() - t) / 1000;
  const prepareStarted = performance.now();
  const data = await prepareData(input, options, options.frozenPreprocessing);
  const { matrix, prep, roles, table } = data;
  excludedNotices(roles).forEach(notice);
  categorical.checkCategoricalFit(algorithm, data, initOption, methods);
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
  const prepare = since(prepareStarted);

  const backendStarted = performance.now();
  const backend = await openBackend(backendChoice, notice, options);
  const backendSeconds = since(backendStarted);
  try {
    const started = performance.now();
    const space = categorical.kprototypesSpace(algorithm, data, options.gamma);
    const handle = await backend.attach(space?.matrix ?? matrix);
    const run = gmm
      ? await fitMixture(
          backend,
          handle,
          { k, covariance, init: init as GmmInit, nInit, maxIter, tol, regCovar, seed, warmStart },
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
            space,
            notice,
          );
    await backend.detach(handle);
    const seconds = since(started);
    const outputsStarted = performance.now();
    const counts = new Array<number>(k).fill(0);
    const labels = run.labels;
    for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
    const empty = counts.filter((c) => c === 0).length;
    if (empty > 0)
      notice(
        `${empty} of ${k} segments ended empty: the data may have fewer than k=${k} distinct rows`,
      );
    const { profiles, names } = describeSegmentsLazily(table, roles, run.labels, k, options);
    const encoded = categorical.categoricalModelFields(data, run.centres, k, space !== undefined);
    const base = modelBase({
      prep,
      id: roles.id,
      k,
      centres: encoded.numeric,
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
      : run.kprototypes
        ? { ...base, algorithm: 'kprototypes', categorical: data.encoding!, ...run.kprototypes }
        : run.hierarchy
          ? { ...base, ...run.hierarchy }
          : {
              ...base,
              ...encoded.fields,
              algorithm: 'kmeans',
              inertia: run.inertia!,
              ...(minibatch ? { trainedWith: 'minibatch-kmeans', batchSize } : {}),
            };
    const assignments = outputTable(table, roles.id, run, names, k);
    const timing = {
      prepare,
      backend: backendSeconds,
      passes: seconds,
      outputs: since(outputsStarted),
    };
    return fitResult(
      {
        labels: run.labels,
        assignments,
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
          timing,
          seedPotential: run.seedPotential,
          emptyClusterRepairs: run.repairs,
          history: run.history,
          emHistory: run.emHistory,
          notices,
          preprocessing: data.report,
          excludedColumns: roles.excluded ?? [],
        },
      },
      profiles,
      algorithm,
      model,
      run,
    );
  } finally {
    await backend.dispose();
  }
}
