import type { Backend, DatasetHandle, GmmPassParams, GmmSummary } from '../backend/backend.js';
import { readRow } from '../data/matrix.js';
import { Rng } from '../util/rng.js';
import { runKMeans } from './kmeans.js';
import { kmeansPlusPlus } from './kmeans-init.js';
import {
  kernelForm,
  kernelParams,
  mStep,
  oneHotStatistics,
  secondMomentSize,
  type CovarianceType,
  type GmmParameters,
  type GmmStatistics,
} from './gmm-math.js';

/**
 * Expectation-maximisation for Gaussian mixtures with scikit-learn's semantics
 * (sklearn/mixture/_base.py): initialise responsibilities, then alternate an E-step pass over the
 * data (on the backend) and an M-step on the host, until the mean log-likelihood per row changes
 * by less than tol; keep the run with the highest lower bound; a final E-step gives the labels.
 */
export type GmmInit = 'kmeans' | 'k-means++' | 'random' | Float32Array;

export interface GmmSettings {
  k: number;
  covariance: CovarianceType;
  init: GmmInit;
  nInit: number;
  maxIter: number;
  /** Convergence when the mean log-likelihood per row changes by less than this. */
  tol: number;
  regCovar: number;
  seed: number;
  /**
   * A previous fit's weights, means and covariances to start EM from instead of `init` (--history's
   * later periods, in the same frozen clustering space); ignored unless type, k and d match.
   */
  warmStart?: GmmParameters;
}

export interface GmmIterationStat {
  run: number;
  iteration: number;
  /** Mean log-likelihood per row under the parameters of this iteration's E-step. */
  lowerBound: number;
  change: number;
  ms: number;
}

export interface GmmResult {
  params: GmmParameters;
  labels: Int32Array;
  probability: Float32Array;
  probabilities: Float32Array | undefined;
  /** Mean log-likelihood per row under the final parameters (scikit-learn's score). */
  logLikelihood: number;
  lowerBound: number;
  iterations: number;
  converged: boolean;
  bestRun: number;
  /** Components whose responsibilities sum to less than one row at the end. */
  emptyComponents: number;
  history: GmmIterationStat[];
}

export async function runGmm(
  backend: Backend,
  handle: DatasetHandle,
  s: GmmSettings,
  meanVariance: number,
  options: { probabilities: boolean; onIteration?: (stat: GmmIterationStat) => void },
): Promise<GmmResult> {
  const n = handle.rows;
  const best = await runEm(
    (params) => backend.gmmStep(handle, params),
    (rng) => initialParameters(backend, handle, s, rng, meanVariance),
    n,
    handle.dims,
    s,
    options.onIteration,
  );
  const final = await backend.gmmAssign(handle, kernelParams(best.params, s.regCovar), {
    probabilities: options.probabilities,
  });
  return {
    ...best,
    labels: final.labels,
    probability: final.probability,
    probabilities: final.probabilities,
    logLikelihood: final.logLikelihood / n,
  };
}

export type EmRun = Omit<GmmResult, 'labels' | 'probability' | 'probabilities' | 'logLikelihood'>;

/**
 * The EM iterations over data seen only through E-step passes (`step`: the data in memory, or a
 * file read chunk by chunk), `nInit` runs from `init`, the run with the highest lower bound kept.
 */
export async function runEm(
  step: (params: GmmPassParams) => Promise<GmmSummary>,
  init: (rng: Rng) => Promise<GmmParameters>,
  n: number,
  d: number,
  s: GmmSettings,
  onIteration?: (stat: GmmIterationStat) => void,
): Promise<EmRun> {
  const rng = new Rng(s.seed);
  const history: GmmIterationStat[] = [];
  let best:
    | {
        params: GmmParameters;
        lowerBound: number;
        iterations: number;
        converged: boolean;
        run: number;
      }
    | undefined;
  for (let run = 0; run < s.nInit; run++) {
    let params = await init(rng);
    let lowerBound = -Infinity;
    let converged = false;
    let iterations = 0;
    for (let iteration = 1; iteration <= s.maxIter; iteration++) {
      const started = performance.now();
      const previous = lowerBound;
      const stats = await step(kernelParams(params, s.regCovar));
      lowerBound = stats.logLikelihood / n;
      params = mStep(s.covariance, stats, params.means, d, s.regCovar);
      iterations = iteration;
      const change = lowerBound - previous;
      const stat = { run, iteration, lowerBound, change, ms: performance.now() - started };
      history.push(stat);
      onIteration?.(stat);
      if (Math.abs(change) < s.tol) {
        converged = true;
        break;
      }
    }
    if (!best || lowerBound > best.lowerBound)
      best = { params, lowerBound, iterations, converged, run };
  }
  let emptyComponents = 0;
  for (let c = 0; c < s.k; c++) if (best!.params.weights[c] * n < 1) emptyComponents++;
  return {
    params: best!.params,
    lowerBound: best!.lowerBound,
    iterations: best!.iterations,
    converged: best!.converged,
    bestRun: best!.run,
    emptyComponents,
    history,
  };
}

/** scikit-learn's init_params: responsibilities from k-means labels, k-means++ rows, random, or given means; or a warm start. */
export async function initialParameters(
  backend: Backend,
  handle: DatasetHandle,
  s: GmmSettings,
  rng: Rng,
  meanVariance: number,
): Promise<GmmParameters> {
  const w = s.warmStart;
  if (w && w.type === s.covariance && w.k === s.k && w.d === handle.dims)
    return {
      ...w,
      weights: Float64Array.from(w.weights),
      means: Float64Array.from(w.means),
      covariances: Float64Array.from(w.covariances),
    };
  const { matrix } = handle;
  const d = handle.dims;
  const form = kernelForm(s.covariance);
  if (s.init === 'kmeans' || s.init instanceof Float32Array) {
    let labels: Int32Array;
    if (s.init instanceof Float32Array) labels = (await backend.assign(handle, s.init, s.k)).labels;
    else
      labels = (
        await runKMeans(
          backend,
          handle,
          { k: s.k, init: 'k-means++', nInit: 1, maxIter: 300, tol: 1e-4, seed: rng.deriveSeed() },
          meanVariance,
        )
      ).labels;
    const { stats, centredOn } = oneHotStatistics(matrix.data, matrix.rows, d, labels, s.k, form);
    return mStep(s.covariance, stats, centredOn, d, s.regCovar);
  }
  if (s.init === 'k-means++') {
    // One row per component, responsibility 1 (scikit-learn's init_params='k-means++').
    const { centres } = await kmeansPlusPlus(backend, handle, s.k, rng);
    const stats: GmmStatistics = {
      nk: new Float64Array(s.k).fill(1),
      sd: new Float64Array(s.k * d),
      sdd: new Float64Array(s.k * secondMomentSize(form, d)),
      logLikelihood: 0,
    };
    return mStep(s.covariance, stats, Float64Array.from(centres), d, s.regCovar);
  }
  return randomResponsibilityParameters(handle, s, rng);
}

/** Uniform random responsibilities, normalised per row (init_params='random'), on the host. */
function randomResponsibilityParameters(
  handle: DatasetHandle,
  s: GmmSettings,
  rng: Rng,
): GmmParameters {
  const { matrix } = handle;
  const d = handle.dims;
  const k = s.k;
  const form = kernelForm(s.covariance);
  const resp = new Float64Array(matrix.rows * k);
  const nk = new Float64Array(k);
  const sums = new Float64Array(k * d);
  const row = new Float32Array(d);
  for (let i = 0; i < matrix.rows; i++) {
    let total = 0;
    for (let c = 0; c < k; c++) total += resp[i * k + c] = rng.nextDouble();
    readRow(matrix, i, row);
    for (let c = 0; c < k; c++) {
      const r = (resp[i * k + c] /= total);
      nk[c] += r;
      for (let j = 0; j < d; j++) sums[c * d + j] += r * row[j];
    }
  }
  const centredOn = Float64Array.from(sums, (v, o) => v / nk[Math.floor(o / d)]);
  const sz = secondMomentSize(form, d);
  const sdd = new Float64Array(k * sz);
  for (let i = 0; i < matrix.rows; i++) {
    readRow(matrix, i, row);
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      const dv = Array.from(row, (v, j) => v - centredOn[c * d + j]);
      if (form === 'diag') for (let j = 0; j < d; j++) sdd[c * sz + j] += r * dv[j] * dv[j];
      else {
        let at = 0;
        for (let a = 0; a < d; a++)
          for (let b = a; b < d; b++) sdd[c * sz + at++] += r * dv[a] * dv[b];
      }
    }
  }
  return mStep(
    s.covariance,
    { nk, sd: new Float64Array(k * d), sdd, logLikelihood: 0 },
    centredOn,
    d,
    s.regCovar,
  );
}
