import type { Table, Vector } from 'apache-arrow';
import { informationCriteria, parameterCount } from '../algo/gmm-math.js';
import { runGmm, type GmmIterationStat } from '../algo/gmm.js';
import { runKMeans, type IterationStat, type KMeansResult } from '../algo/kmeans.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import type { GmmModel, KPrototypesModel } from '../model/model.js';
import { ownAssignmentsTable, mixtureTable } from './assignments.js';
import { segmentNameColumn } from './describe.js';
import type { FitOptions } from './fit.js';
import { fitKPrototypes, type KPrototypesSpace } from './fit-kprototypes.js';
import { fitHierarchy, isHierarchical, type HierarchyModelFields } from './fit-hierarchy.js';
import { emptyComponentsNotice } from './notices.js';

/**
 * The algorithms as fit() runs them, each handing back one AlgorithmRun, and the per-row output
 * table of either.
 */

/** What either algorithm hands back to fit(). */
export interface AlgorithmRun {
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
  kprototypes?: Pick<KPrototypesModel, 'centres' | 'gamma' | 'cost' | 'modes'>;
  /** bisecting and ward: their tree (fit-hierarchy.ts). */
  hierarchy?: HierarchyModelFields;
}

export async function fitKMeans(
  backend: Backend,
  handle: DatasetHandle,
  settings: Parameters<typeof runKMeans>[2],
  meanVariance: number,
  options: FitOptions,
  space: KPrototypesSpace | undefined,
  notice: (message: string) => void,
): Promise<AlgorithmRun> {
  if (space) return fitKPrototypes(backend, handle, space, settings, options);
  // bisecting and ward are centre-based too; their loops are their own (fit-hierarchy.ts).
  if (isHierarchical(options.algorithm ?? 'kmeans'))
    return fitHierarchy(backend, handle, settings, meanVariance, options, notice);
  return kmeansRun(
    await runKMeans(backend, handle, settings, meanVariance, { onIteration: options.onIteration }),
  );
}

export function kmeansRun(r: KMeansResult): AlgorithmRun {
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

export async function fitMixture(
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
export function outputTable(
  table: Table,
  id: string | undefined,
  run: AlgorithmRun,
  names: string[] | undefined,
  k: number,
): Table {
  const named: Record<string, Vector> = names
    ? { segment_name: segmentNameColumn(run.labels, names) }
    : {};
  // (the distances go in as they are: ownAssignmentsTable takes square roots only when given none)
  if (run.distances)
    return ownAssignmentsTable(table, id, run.labels, run.distances, named, run.distances);
  return mixtureTable(table, id, run.labels, run.probability!, run.probabilities, k, named);
}
