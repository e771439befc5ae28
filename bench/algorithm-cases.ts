/**
 * The cases of bench/algorithms-vs-sklearn.ts: each gpuseg algorithm, the parameters both sides
 * get (one JSON object, read by bench/algorithm-case.ts here and bench/sklearn_algorithms.py
 * there), how they map onto scikit-learn's estimator, and gpuseg's fit of it on the CPU backend.
 */
import { runBirch } from '../src/algo/birch.js';
import { runBisectingKMeans } from '../src/algo/bisecting.js';
import { DBSCAN_MAX_ROWS, runDbscan } from '../src/algo/dbscan.js';
import { runGmm } from '../src/algo/gmm.js';
import { runKMeans } from '../src/algo/kmeans.js';
import { runMiniBatchKMeans } from '../src/algo/minibatch.js';
import { EXACT_WARD_MAX_ROWS, runWard } from '../src/algo/ward.js';
import type { Backend } from '../src/backend/backend.js';
import { openHostBackend } from '../src/backend/select.js';
import { meanFeatureVariance, type DataMatrix } from '../src/data/matrix.js';

/** The settings of one size's run that the cases' parameters come from. */
export interface BenchSettings {
  rows: number;
  k: number;
  seed: number;
  /** DBSCAN's radius (given, or the k-distance knee of this size's data). */
  eps: number;
  minSamples: number;
  birchThreshold: number;
  /** Rows above which scikit-learn's exact Ward is not run (its n²/2 float64 distances). */
  sklearnWardMaxRows: number;
}

/** What both sides read: numbers and names only, so that it travels as JSON. */
export type CaseParams = Record<string, number | string>;

/** What a gpuseg fit hands back to the harness: the labels and a few words for the note. */
export interface GpusegFit {
  labels: Int32Array;
  note: string;
}

export interface AlgorithmCase {
  /** The name in the table's first column (and --only). */
  name: string;
  params: (s: BenchSettings) => CaseParams;
  /** How the parameters map onto scikit-learn's estimator (printed under the table). */
  mapping: string;
  /** Why scikit-learn is not run at this size, or undefined. */
  sklearnSkip?: (s: BenchSettings) => string | undefined;
  /** The fit, timed by the caller; throws (UsageError, InputError) where gpuseg refuses. */
  fit: (backend: Backend, m: DataMatrix, p: CaseParams) => Promise<GpusegFit>;
}

const num = (p: CaseParams, key: string): number => p[key] as number;

/**
 * Attaches the matrix, runs `body` on it, detaches: the part of fit() that fit()'s seconds time.
 * The mean feature variance (the tolerance's scale) is computed first unless `variance` is false:
 * for a tolerance of 0, which scikit-learn's _tolerance answers without computing it.
 */
async function onHandle<T>(
  backend: Backend,
  m: DataMatrix,
  body: (handle: Awaited<ReturnType<Backend['attach']>>, meanVariance: number) => Promise<T>,
  variance = true,
): Promise<T> {
  const meanVariance = variance ? meanFeatureVariance(m) : 0;
  const handle = await backend.attach(m);
  try {
    return await body(handle, meanVariance);
  } finally {
    await backend.detach(handle);
  }
}

const gmmCase = (covariance: 'diag' | 'full'): AlgorithmCase => ({
  name: `gmm ${covariance}`,
  params: (s) => ({ k: s.k, seed: s.seed, covariance, maxIter: 100, tol: 1e-3, regCovar: 1e-6 }),
  mapping: `GaussianMixture(n_components=k, covariance_type='${covariance}', init_params='kmeans', n_init=1, max_iter=100, tol=1e-3, reg_covar=1e-6) ↔ runGmm(init 'kmeans', the same numbers): both seed EM from a k-means labelling, stop when the mean log-likelihood per row changes by < tol`,
  fit: (backend, m, p) =>
    onHandle(backend, m, async (handle, meanVariance) => {
      const r = await runGmm(
        backend,
        handle,
        {
          k: num(p, 'k'),
          covariance,
          init: 'kmeans',
          nInit: 1,
          maxIter: num(p, 'maxIter'),
          tol: num(p, 'tol'),
          regCovar: num(p, 'regCovar'),
          seed: num(p, 'seed'),
        },
        meanVariance,
        { probabilities: false },
      );
      return { labels: r.labels, note: `${r.iterations} EM iterations` };
    }),
});

export const CASES: readonly AlgorithmCase[] = [
  {
    name: 'kmeans',
    params: (s) => ({ k: s.k, seed: s.seed, maxIter: 300, tol: 1e-4 }),
    mapping:
      "KMeans(algorithm='lloyd', init='k-means++', n_init=1, max_iter=300, tol=1e-4) ↔ runKMeans(init 'k-means++', nInit 1, the same numbers; tol scaled by the mean feature variance on both sides)",
    fit: (backend, m, p) =>
      onHandle(backend, m, async (handle, meanVariance) => {
        const r = await runKMeans(
          backend,
          handle,
          {
            k: num(p, 'k'),
            init: 'k-means++',
            nInit: 1,
            maxIter: num(p, 'maxIter'),
            tol: num(p, 'tol'),
            seed: num(p, 'seed'),
          },
          meanVariance,
        );
        return { labels: r.labels, note: `${r.iterations} Lloyd iterations` };
      }),
  },
  {
    name: 'minibatch-kmeans',
    params: (s) => ({ k: s.k, seed: s.seed, batchSize: 1024, maxIter: 100, maxNoImprovement: 10 }),
    mapping:
      "MiniBatchKMeans(batch_size=1024, max_iter=100, tol=0, max_no_improvement=10, init='k-means++', n_init=1, reassignment_ratio=0) ↔ runMiniBatchKMeans(the same; gpuseg does no reassignment, hence ratio 0; both seed on 3 × batch_size rows and end with a full assignment)",
    fit: (backend, m, p) =>
      onHandle(
        backend,
        m,
        async (handle, meanVariance) => {
          const r = await runMiniBatchKMeans(
            backend,
            handle,
            {
              k: num(p, 'k'),
              batchSize: num(p, 'batchSize'),
              maxIter: num(p, 'maxIter'),
              tol: 0,
              maxNoImprovement: num(p, 'maxNoImprovement'),
              seed: num(p, 'seed'),
              init: 'k-means++',
            },
            meanVariance,
            openHostBackend,
          );
          return { labels: r.labels, note: `${r.iterations} batches` };
        },
        false,
      ), // tol 0: no variance needed
  },
  gmmCase('diag'),
  gmmCase('full'),
  {
    name: 'bisecting',
    params: (s) => ({ k: s.k, seed: s.seed, maxIter: 300, tol: 1e-4 }),
    mapping:
      "BisectingKMeans(init='random', n_init=1, max_iter=300, tol=1e-4, bisecting_strategy='biggest_inertia', algorithm='lloyd') ↔ runBisectingKMeans(the same; tol unscaled per bisection on both sides)",
    fit: (backend, m, p) =>
      onHandle(backend, m, async (handle) => {
        const r = await runBisectingKMeans(
          backend,
          handle,
          {
            k: num(p, 'k'),
            strategy: 'biggest_inertia',
            init: 'random',
            nInit: 1,
            maxIter: num(p, 'maxIter'),
            tol: num(p, 'tol'),
            seed: num(p, 'seed'),
          },
          { openHostBackend }, // as fit's
        );
        return { labels: r.labels, note: `${r.iterations} Lloyd iterations` };
      }),
  },
  {
    name: 'ward',
    params: (s) => ({
      k: s.k,
      seed: s.seed,
      method: s.rows > EXACT_WARD_MAX_ROWS ? 'two-step' : 'exact',
      microClusters: 200,
      // fit()'s init 'auto' for the micro-cluster k-means: k-means|| from 200,000 rows.
      init: s.rows >= 200_000 ? 'k-means||' : 'k-means++',
    }),
    mapping: `AgglomerativeClustering(linkage='ward') ↔ runWard: exact up to ${EXACT_WARD_MAX_ROWS.toLocaleString('en-US')} rows (the same labels), two-step above (k-means into 200 micro-clusters, init as fit's auto, then Ward on them; scikit-learn has no such mode, so its column is exact Ward where its memory allows)`,
    sklearnSkip: (s) =>
      s.rows > s.sklearnWardMaxRows
        ? `exact Ward's n²/2 float64 distances are ${((s.rows * (s.rows - 1) * 4) / 2 ** 30).toFixed(0)} GiB at ${s.rows.toLocaleString('en-US')} rows (run up to ${s.sklearnWardMaxRows.toLocaleString('en-US')})`
        : undefined,
    fit: (backend, m, p) =>
      onHandle(backend, m, async (handle, meanVariance) => {
        const method = p.method as 'exact' | 'two-step';
        const r = await runWard(
          backend,
          handle,
          {
            k: num(p, 'k'),
            method,
            microClusters: num(p, 'microClusters'),
            kmeans: {
              init: p.init as 'k-means++' | 'k-means||',
              nInit: 1,
              maxIter: 300,
              tol: 1e-4,
              seed: num(p, 'seed'),
            },
          },
          meanVariance,
        );
        return {
          labels: r.labels,
          note: method === 'exact' ? 'exact' : `two-step, ${r.micro!.iterations} Lloyd iterations`,
        };
      }),
  },
  {
    name: 'dbscan',
    params: (s) => ({ seed: s.seed, eps: s.eps, minSamples: s.minSamples }),
    mapping: `DBSCAN(eps, min_samples) (algorithm='auto': a k-d tree) ↔ runDbscan(the same eps and min_samples; gpuseg refuses more than ${DBSCAN_MAX_ROWS.cpu.toLocaleString('en-US')} rows on the CPU)`,
    fit: async (backend, m, p) => {
      const r = await runDbscan(backend, m, {
        eps: num(p, 'eps'),
        minSamples: num(p, 'minSamples'),
        seed: num(p, 'seed'),
      });
      return { labels: r.labels, note: `${r.clusters} clusters, ${r.noise} noise` };
    },
  },
  {
    name: 'birch',
    params: (s) => ({ k: s.k, seed: s.seed, threshold: s.birchThreshold, branchingFactor: 50 }),
    mapping:
      "Birch(threshold, branching_factor=50, n_clusters=k) (its global step: AgglomerativeClustering(k) on the subcluster centroids) ↔ runBirch(the same, global 'ward')",
    fit: (backend, m, p) =>
      onHandle(backend, m, async (handle) => {
        const r = await runBirch(backend, handle, {
          threshold: num(p, 'threshold'),
          branchingFactor: num(p, 'branchingFactor'),
          k: num(p, 'k'),
          global: 'ward',
          seed: num(p, 'seed'),
        });
        return { labels: r.labels, note: `${r.subclusters} subclusters` };
      }),
  },
];
