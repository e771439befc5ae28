import type { BirchSettings, BirchSubclusters } from '../algo/birch.js';
import type { Backend } from '../backend/backend.js';
import type { BackendChoice } from '../backend/select.js';
import type { BirchModel } from '../model/birch-model.js';
import type { FitOptions, FitStats } from './fit.js';
import type { OutOfCoreOptions } from './fit-out-of-core.js';
import { singlePassStats } from './fit-result.js';
import { FIT_PARAMETERS, modelBase } from './fit-settings.js';
import type { NoticeSink } from './notices.js';
import { resolveParameters } from './parameters.js';

/**
 * What the in-memory BIRCH fit (fit-birch.ts) and the out-of-core one (fit-birch-out-of-core.ts)
 * share around their passes: the parameters, checked once; the notice of too few subclusters; the
 * model and the run's statistics. The same settings and tree give the same model either way.
 */

/** The BIRCH settings of a fit's options (checked), and the backend asked for. */
export function birchParameters(options: FitOptions | OutOfCoreOptions): {
  settings: BirchSettings;
  backend: BackendChoice;
} {
  const { k, threshold, branchingFactor, birchGlobal, seed, backend } = resolveParameters(
    FIT_PARAMETERS,
    options,
    'birch',
  );
  return { settings: { threshold, branchingFactor, k, global: birchGlobal, seed }, backend };
}

/** The notice when the tree has fewer subclusters than k segments were asked for. */
export function fewSubclusters(
  subclusters: number,
  k: number | undefined,
  notice: NoticeSink,
): void {
  if (k !== undefined && subclusters < k)
    notice(
      (opt) =>
        `birch: ${subclusters} subclusters for ${opt('k')} ${k}: each subcluster is a segment; lower ${opt('threshold')} for more`,
    );
}

/**
 * The BIRCH model: `centres` are the segments' means in the clustering space (SegmentMeans),
 * scoring goes by the leaf subclusters.
 */
export function birchModel(
  fit: Pick<Parameters<typeof modelBase>[0], 'prep' | 'id' | 'rows' | 'backend' | 'names'>,
  settings: BirchSettings,
  run: BirchSubclusters,
  centres: Float32Array,
): BirchModel {
  const d = fit.prep.outputs.length;
  const base = modelBase({
    ...fit,
    seed: settings.seed,
    k: run.clusters,
    centres,
    iterations: 1,
    converged: true,
    init: 'random',
    nInit: 1,
    maxIter: 1,
    tol: 0,
  });
  return {
    ...base,
    init: 'none',
    algorithm: 'birch',
    threshold: settings.threshold,
    branchingFactor: settings.branchingFactor,
    global: settings.global,
    subclusterCentres: Array.from({ length: run.subclusters }, (_, s) =>
      Array.from(run.subclusterCentres.subarray(s * d, (s + 1) * d)),
    ),
    subclusterLabels: Array.from(run.subclusterLabels),
  };
}

/** The statistics of a BIRCH run (one pass over the rows, its tree's subclusters). */
export function birchStats(
  run: BirchSubclusters,
  settings: BirchSettings,
  backend: Backend,
  source: Parameters<typeof singlePassStats>[3],
  seconds: number,
  notices: string[],
): FitStats {
  const { threshold, branchingFactor } = settings;
  return singlePassStats('birch', run.clusters, backend, source, seconds, notices, {
    birch: { threshold, branchingFactor, subclusters: run.subclusters },
  });
}
