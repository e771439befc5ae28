import { inFlight, type RunOptions } from './lifecycle.js';
import { informationCriteria, parameterCount } from '../algo/gmm-math.js';
import { runGmm } from '../algo/gmm.js';
import { runKMeans } from '../algo/kmeans.js';
import { openBackend } from '../backend/select.js';
import { meanFeatureVariance } from '../data/matrix.js';
import { InputError, UsageError } from '../errors.js';
import {
  calinskiHarabasz,
  centroids,
  daviesBouldin,
  elbow,
  silhouetteScores,
  type SilhouetteMethod,
} from '../eval/metrics.js';
import type { DataMatrix } from '../data/matrix.js';
import type { TableInput } from './input.js';
import {
  COMMON_PARAMETERS,
  GMM_PARAMETERS,
  HIERARCHY_PARAMETERS,
  KMEANS_PARAMETERS,
  SELECT_PARAMETERS,
  parameter,
  resolveParameters,
  type ParameterOptions,
} from './parameters.js';
import { excludedNotices, prepareData, prepNotices, type DataOptions } from './prepare.js';
import { checkCategoricalFit } from './fit-kprototypes.js';
import { noticeCollector, type NoticeListener } from './notices.js';
import { hierarchyLevels } from './select-hierarchy.js';

/** select's parameters: its own `algorithm` (kmeans or gmm) and `nInit` (default 1), fit's others. */
const SELECT_RUN_PARAMETERS = [
  parameter(SELECT_PARAMETERS, 'algorithm'),
  parameter(SELECT_PARAMETERS, 'nInit'),
  parameter(KMEANS_PARAMETERS, 'seed'),
  parameter(KMEANS_PARAMETERS, 'maxIter'),
  parameter(KMEANS_PARAMETERS, 'tol'),
  ...GMM_PARAMETERS,
  ...HIERARCHY_PARAMETERS,
  parameter(COMMON_PARAMETERS, 'backend'),
] as const;

/**
 * selectK's options: the data options, and the parameter table's `algorithm` ('kmeans', or
 * 'gmm', which adds BIC), `nInit` (k-means++ runs per k), `seed`, `maxIter`, `tol` (each
 * algorithm's defaults, as in fit), `covariance`, `regCovar` and `backend`.
 */
export interface SelectOptions
  extends DataOptions, RunOptions, ParameterOptions<typeof SELECT_RUN_PARAMETERS> {
  /** Candidate k: 'A..B', 'a,b,c', or a list. */
  k: string | number[];
  /** Called with each notice's text (options named as the API does) and the notice (`messageFor('flag')`: the CLI's flags). */
  onNotice?: NoticeListener;
  /** Called after each k is fitted. */
  onProgress?: (k: number) => void;
}

export interface SelectRow {
  k: number;
  /** k-means: Σ squared distances; gmm: Σ squared distances of the rows to their component's mean. */
  inertia: number;
  /** gmm: Bayesian information criterion (lower is better). */
  bic: number | undefined;
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  iterations: number;
  sizes: number[];
}

export interface SelectResult {
  rows: SelectRow[];
  /** The elbow of the inertia curve (see elbowMethod). */
  elbow: number | undefined;
  elbowMethod: string;
  /** The best k by each score: silhouette and Calinski-Harabasz highest, Davies-Bouldin lowest. */
  best: {
    silhouette: number;
    calinskiHarabasz: number;
    daviesBouldin: number;
    bic: number | undefined;
  };
  /** The k gpuseg suggests: the lowest BIC for gmm, else the best silhouette. */
  recommended: number;
  silhouetteMethod: SilhouetteMethod;
  backend: string;
  device: string;
  notices: string[];
}

const ELBOW_METHOD =
  'k farthest below the chord from the first to the last point of the inertia curve, both axes scaled to [0,1] (kneedle)';

/** Parses a k range: '2..12', '3,5,8' (each k ≥ 2). */
export function parseKRange(value: string | number[]): number[] {
  const ks = Array.isArray(value)
    ? value
    : typeof value !== 'string'
      ? []
      : /^\s*\d+\s*\.\.\s*\d+\s*$/.test(value)
        ? (() => {
            const [a, b] = value.split('..').map((v) => Number(v.trim()));
            return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
          })()
        : value.split(',').map((v) => Number(v.trim()));
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 2)) {
    throw new UsageError(
      (opt) =>
        `${opt('k')}: expected a range like 2..12 or a list like 3,5,8 of integers ≥ 2, got '${Array.isArray(value) ? value.join(',') : value}'`,
    );
  }
  return [...new Set(ks)].sort((a, b) => a - b);
}

/** Fits k-means (or a mixture) for every candidate k on the same prepared data and scores each fit. */
export async function selectK(input: TableInput, options: SelectOptions): Promise<SelectResult> {
  return inFlight(options, () => selectRun(input, options));
}

async function selectRun(input: TableInput, options: SelectOptions): Promise<SelectResult> {
  const { notices, notice } = noticeCollector(options.onNotice);
  const ks = parseKRange(options.k);
  const { algorithm } = resolveParameters([parameter(SELECT_PARAMETERS, 'algorithm')], options);
  const {
    seed,
    maxIter,
    tol,
    nInit,
    backend: backendChoice,
    covariance,
    regCovar,
    ...hierarchy
  } = resolveParameters(SELECT_RUN_PARAMETERS, options, algorithm);
  const data = await prepareData(input, options);
  checkCategoricalFit(algorithm, data, 'k-means++', ['k-means++']);
  excludedNotices(data.roles).forEach(notice);
  prepNotices(data.report).forEach(notice);
  const { matrix } = data;
  if (ks[ks.length - 1] > matrix.rows)
    throw new InputError(
      (opt) => `k=${ks[ks.length - 1]} exceeds rows=${matrix.rows}; lower the top of ${opt('k')}`,
    );
  const meanVariance = meanFeatureVariance(matrix);
  const backend = await openBackend(backendChoice, notice, options);
  try {
    const handle = await backend.attach(matrix);
    const fits: {
      k: number;
      labels: Int32Array;
      inertia: number;
      iterations: number;
      bic: number | undefined;
    }[] = [];
    // ward and bisecting: one hierarchy, cut at every k.
    if (algorithm === 'ward' || algorithm === 'bisecting')
      fits.push(
        ...(await hierarchyLevels(
          backend,
          handle,
          algorithm,
          ks,
          { seed, maxIter, tol, ...hierarchy },
          meanVariance,
          notice,
        )),
      );
    for (const k of algorithm === 'ward' || algorithm === 'bisecting' ? [] : ks) {
      if (algorithm === 'gmm') {
        const r = await runGmm(
          backend,
          handle,
          {
            k,
            covariance,
            init: 'kmeans',
            nInit,
            maxIter,
            tol,
            regCovar,
            seed,
          },
          meanVariance,
          { probabilities: false },
        );
        const bic = informationCriteria(
          r.logLikelihood,
          matrix.rows,
          parameterCount(covariance, k, matrix.dims),
        ).bic;
        fits.push({
          k,
          labels: r.labels,
          inertia: withinSquares(matrix, r.labels, k),
          iterations: r.iterations,
          bic,
        });
      } else {
        const r = await runKMeans(
          backend,
          handle,
          { k, init: 'k-means++', nInit, maxIter, tol, seed },
          meanVariance,
        );
        fits.push({
          k,
          labels: r.labels,
          inertia: r.inertia,
          iterations: r.iterations,
          bic: undefined,
        });
      }
      options.onProgress?.(k);
    }
    await backend.detach(handle);
    const { scores, method } = silhouetteScores(
      matrix,
      fits.map((f) => ({ labels: f.labels, k: f.k })),
      seed,
    );
    if (!method.exact)
      notice(
        `silhouette computed on a sample of ${method.sampleSize} of ${matrix.rows} rows (seed ${seed})`,
      );
    const rows: SelectRow[] = fits.map((f, i) => {
      const sizes = new Array<number>(f.k).fill(0);
      for (const l of f.labels) sizes[l]++;
      return {
        k: f.k,
        inertia: f.inertia,
        bic: f.bic,
        silhouette: scores[i],
        calinskiHarabasz: calinskiHarabasz(matrix, f.labels, f.k),
        daviesBouldin: daviesBouldin(matrix, f.labels, f.k),
        iterations: f.iterations,
        sizes,
      };
    });
    const argBest = (score: (r: SelectRow) => number): number =>
      rows.reduce((b, r) => (score(r) > score(b) ? r : b)).k;
    const best = {
      silhouette: argBest((r) => r.silhouette),
      calinskiHarabasz: argBest((r) => r.calinskiHarabasz),
      daviesBouldin: argBest((r) => -r.daviesBouldin),
      bic: algorithm === 'gmm' ? argBest((r) => -(r.bic ?? Infinity)) : undefined,
    };
    return {
      rows,
      elbow: elbow(
        rows.map((r) => r.k),
        rows.map((r) => r.inertia),
      ),
      elbowMethod: ELBOW_METHOD,
      best,
      recommended: best.bic ?? best.silhouette,
      silhouetteMethod: method,
      backend: backend.kind,
      device: backend.deviceName,
      notices,
    };
  } finally {
    await backend.dispose();
  }
}

/** Σ squared distances of the rows to their cluster's centroid (a mixture's hard labels' inertia). */
function withinSquares(m: DataMatrix, labels: Int32Array, k: number): number {
  const { centres } = centroids(m, labels, k);
  let total = 0;
  for (let j = 0; j < m.dims; j++) {
    const col = m.data.subarray(j * m.rows, (j + 1) * m.rows);
    for (let i = 0; i < m.rows; i++) total += (col[i] - centres[labels[i] * m.dims + j]) ** 2;
  }
  return total;
}
