import { tmpdir } from 'node:os';
import { runKMeansOutOfCore } from '../algo/kmeans-out-of-core.js';
import type { IterationStat, KMeansSettings } from '../algo/kmeans.js';
import { initialParameters, runEm, type GmmIterationStat, type GmmSettings } from '../algo/gmm.js';
import { kernelParams, type GmmParameters } from '../algo/gmm-math.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import type { DataMatrix } from '../data/matrix.js';
import { SpillFile } from '../io/spill-file.js';
import type { FinalModel, FitPasses } from './fit-passes.js';
import { emptyComponentsNotice, type NoticeSink } from './notices.js';

/**
 * The algorithm half of fitOutOfCore: k-means or EM over the file's passes, seeded on the sample,
 * and the spill file the passes read back.
 */

export function openSpill(
  option: boolean | string,
  rows: number,
  dims: number,
  notice: NoticeSink,
): SpillFile | undefined {
  if (option === false) return undefined;
  const dir = option === true ? tmpdir() : option;
  const spill = SpillFile.create(dir, rows * dims * 4, dims);
  if (typeof spill === 'string') {
    notice(
      (opt) =>
        `out-of-core: no spill of the prepared chunks (${spill}); every pass reads the input (${opt('spillDir')} elsewhere)`,
    );
    return undefined;
  }
  return spill;
}

export function countMissing(matrix: DataMatrix, into: Map<string, number>): void {
  for (let j = 0; j < matrix.dims; j++) {
    const col = matrix.data.subarray(j * matrix.rows, (j + 1) * matrix.rows);
    let n = 0;
    for (let i = 0; i < col.length; i++) if (col[i] !== col[i]) n++;
    if (n > 0) into.set(matrix.features[j], (into.get(matrix.features[j]) ?? 0) + n);
  }
}

/** What the runs take from fitOutOfCore's options. */
interface RunCallbacks {
  onIteration?: (stat: IterationStat) => void;
  onEmIteration?: (stat: GmmIterationStat) => void;
  probabilities?: boolean;
}

/** A fitted run, as the profile and output passes need it. */
interface OutOfCoreRun {
  centres: Float32Array;
  iterations: number;
  converged: boolean;
  seedPotential: number | undefined;
  emptyClusterRepairs: number;
  emptyComponents: number;
  history: IterationStat[];
  emHistory: GmmIterationStat[];
  /** Segments of the sample's rows (for medians). */
  sampleLabels: Int32Array;
  /** The model the profile and output passes assign rows by. */
  final: FinalModel;
  gmm: GmmParameters | undefined;
}

export async function kmeansOutOfCore(
  passes: FitPasses,
  backend: Backend,
  sample: DatasetHandle,
  settings: KMeansSettings,
  meanVariance: number,
  options: RunCallbacks,
): Promise<OutOfCoreRun> {
  const run = await runKMeansOutOfCore(passes, backend, sample, settings, meanVariance, {
    onIteration: options.onIteration,
  });
  const { k } = settings;
  return {
    ...run,
    emptyComponents: 0,
    emHistory: [],
    gmm: undefined,
    sampleLabels: (await backend.assign(sample, run.centres, k)).labels,
    final: { kind: 'kmeans', k, centres: run.centres },
  };
}

/**
 * EM over the file: every E-step a pass (its statistics add up over chunks), initialised on the
 * sample as the in-memory fit initialises on all the rows (k-means labels, k-means++ rows, random
 * responsibilities, or given means).
 */
export async function mixtureOutOfCore(
  passes: FitPasses,
  backend: Backend,
  sample: DatasetHandle,
  rows: number,
  settings: GmmSettings,
  meanVariance: number,
  options: RunCallbacks,
  notice: (message: string) => void,
): Promise<OutOfCoreRun> {
  const run = await runEm(
    (params) => passes.gmmPass(params),
    (rng) => initialParameters(backend, sample, settings, rng, meanVariance),
    rows,
    sample.dims,
    settings,
    options.onEmIteration,
  );
  if (run.emptyComponents > 0) notice(emptyComponentsNotice(run.emptyComponents));
  const params = kernelParams(run.params, settings.regCovar);
  const probabilities = options.probabilities === true;
  return {
    centres: Float32Array.from(run.params.means),
    iterations: run.iterations,
    converged: run.converged,
    seedPotential: undefined,
    emptyClusterRepairs: 0,
    emptyComponents: run.emptyComponents,
    history: [],
    emHistory: run.history,
    gmm: run.params,
    sampleLabels: (await backend.gmmAssign(sample, params, { probabilities: false })).labels,
    final: { kind: 'gmm', k: settings.k, params, probabilities },
  };
}
