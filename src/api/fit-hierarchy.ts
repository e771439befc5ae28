import { leafCentres } from '../algo/bisecting-tree.js';
import { runBisectingKMeans } from '../algo/bisecting.js';
import type { KMeansInit, KMeansSettings } from '../algo/kmeans.js';
import { EXACT_WARD_MAX_ROWS, runWard } from '../algo/ward.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { openHostBackend } from '../backend/select.js';
import { InputError, UsageError } from '../errors.js';
import type { BisectingModel, WardModel } from '../model/hierarchy-model.js';
import type { AlgorithmRun } from './algorithm-run.js';
import type { FitOptions } from './fit.js';
import { HIERARCHY_PARAMETERS, resolveParameters } from './parameters.js';

/** The model fields of a hierarchical fit beyond the common ones. */
export type HierarchyModelFields =
  | Pick<BisectingModel, 'algorithm' | 'inertia' | 'bisectingStrategy' | 'tree'>
  | Pick<WardModel, 'algorithm' | 'inertia' | 'wardMethod' | 'dendrogram' | 'groupSegments'>;

export const isHierarchical = (algorithm: string): algorithm is 'bisecting' | 'ward' =>
  algorithm === 'bisecting' || algorithm === 'ward';

/**
 * Runs bisecting k-means or Ward for fit(), with fit's k-means settings (k, init, nInit, maxIter,
 * tol, seed) and their own parameters from `options` (HIERARCHY_PARAMETERS); labels, distances
 * and the model's tree.
 */
export async function fitHierarchy(
  backend: Backend,
  handle: DatasetHandle,
  settings: KMeansSettings,
  meanVariance: number,
  options: FitOptions,
  notice: (message: string) => void,
): Promise<AlgorithmRun & { hierarchy: HierarchyModelFields }> {
  const algorithm = options.algorithm as 'bisecting' | 'ward';
  const s = { ...settings, algorithm, ...resolveParameters(HIERARCHY_PARAMETERS, options) };
  const onIteration = options.onIteration;
  if (s.init instanceof Float32Array)
    throw new UsageError(
      (opt) =>
        `${opt('init')}: ${s.algorithm} takes a method (${s.algorithm === 'bisecting' ? 'random, k-means++' : 'k-means++, k-means||, random: for its micro-clusters'}), not centres`,
    );
  if (s.algorithm === 'bisecting') {
    const r = await runBisectingKMeans(
      backend,
      handle,
      {
        k: s.k,
        strategy: s.bisectingStrategy,
        init: s.init === 'k-means++' ? 'k-means++' : 'random',
        nInit: s.nInit,
        maxIter: s.maxIter,
        tol: s.tol,
        seed: s.seed,
      },
      { onIteration, openHostBackend },
    );
    return {
      ...common(leafCentres(r.tree), r.labels, r.sqDistances, r.inertia),
      iterations: r.iterations,
      converged: r.converged,
      repairs: r.emptyClusterRepairs,
      history: r.history,
      hierarchy: {
        algorithm: 'bisecting',
        inertia: r.inertia,
        bisectingStrategy: s.bisectingStrategy,
        tree: r.tree,
      },
    };
  }
  const rows = handle.rows;
  if (s.k > s.microClusters)
    throw new UsageError(
      (opt) =>
        `${opt('k')} ${s.k} exceeds ${opt('microClusters')} ${s.microClusters} (the clusters a Ward model keeps); raise ${opt('microClusters')}`,
    );
  if (s.wardMethod === 'exact' && rows > EXACT_WARD_MAX_ROWS)
    throw new InputError(
      (opt) =>
        `${opt('wardMethod')} exact: ${rows} rows exceed the ${EXACT_WARD_MAX_ROWS} exact Ward is for (time grows as rows²); use ${opt('wardMethod')} two-step (or auto)`,
    );
  const method =
    s.wardMethod === 'auto' ? (rows > EXACT_WARD_MAX_ROWS ? 'two-step' : 'exact') : s.wardMethod;
  if (s.wardMethod === 'auto' && method === 'two-step')
    notice(
      `ward: ${rows} rows exceed ${EXACT_WARD_MAX_ROWS} for exact Ward; using two-step Ward (k-means into ${Math.min(rows, s.microClusters)} micro-clusters, then Ward on them)`,
    );
  const r = await runWard(
    backend,
    handle,
    {
      k: s.k,
      method,
      microClusters: s.microClusters,
      kmeans: {
        init: s.init as KMeansInit,
        nInit: s.nInit,
        maxIter: s.maxIter,
        tol: s.tol,
        seed: s.seed,
      },
    },
    meanVariance,
  );
  if (r.micro) r.micro.history.forEach((stat) => onIteration?.(stat));
  return {
    ...common(Float32Array.from(r.cut.centres), r.labels, r.sqDistances, r.cut.inertia),
    iterations: r.micro?.iterations ?? 0,
    converged: r.micro?.converged ?? true,
    repairs: r.micro?.emptyClusterRepairs ?? 0,
    history: r.micro?.history ?? [],
    hierarchy: {
      algorithm: 'ward',
      inertia: r.cut.inertia,
      wardMethod: method,
      dendrogram: r.dendrogram,
      groupSegments: Array.from(r.cut.groupSegment),
    },
  };
}

function common(
  centres: Float32Array,
  labels: Int32Array,
  sqDistances: Float32Array,
  inertia: number,
): Omit<AlgorithmRun, 'iterations' | 'converged' | 'repairs' | 'history'> {
  return {
    centres,
    labels,
    inertia,
    distances: Float32Array.from(sqDistances, Math.sqrt),
    probability: undefined,
    probabilities: undefined,
    seedPotential: undefined,
    emptyComponents: 0,
    emHistory: [],
    gmm: undefined,
  };
}
