import type { Backend, DatasetHandle, LloydSummary } from '../backend/backend.js';
import { Rng } from '../util/rng.js';
import {
  lloydIterations,
  seedCentres,
  type IterationStat,
  type KMeansHooks,
  type KMeansSettings,
} from './kmeans.js';

/**
 * Data that does not fit in memory, seen as whole passes: each pass streams every row through a
 * backend chunk by chunk and returns the merged summary (sums, counts and inertia add up, in
 * chunk order, so the result does not depend on the chunk size).
 */
export interface ChunkedPasses {
  lloydPass(centres: Float32Array, k: number): Promise<LloydSummary>;
}

export interface OutOfCoreKMeansResult {
  centres: Float32Array;
  iterations: number;
  converged: boolean;
  /** Inertia of the final centres when more than one run was compared; else left to the caller's output pass. */
  inertia: number | undefined;
  bestRun: number;
  seedPotential: number | undefined;
  emptyClusterRepairs: number;
  history: IterationStat[];
}

/**
 * Lloyd's algorithm over data read in passes, with the in-memory loop's semantics (runKMeans) where
 * they can be kept without holding a label per row:
 * - seeding (k-means++, k-means‖, random) runs on a uniform sample of the rows held in memory;
 * - convergence is scikit-learn's centre-shift test alone (Σ‖Δc‖² ≤ tol × mean variance, the
 *   variance taken from the sample); "no label changed" is the shift-0 case of the same test;
 * - an empty cluster is re-seeded at the sample row farthest from its centre — a real row, whose
 *   contribution moves out of its old cluster's sums exactly as in memory.
 */
export async function runKMeansOutOfCore(
  passes: ChunkedPasses,
  backend: Backend,
  sample: DatasetHandle,
  settings: KMeansSettings,
  meanVariance: number,
  hooks: KMeansHooks = {},
): Promise<OutOfCoreKMeansResult> {
  const rng = new Rng(settings.seed);
  const tolerance = settings.tol * meanVariance;
  const history: IterationStat[] = [];
  const { k } = settings;
  let best: OutOfCoreKMeansResult | undefined;
  for (let run = 0; run < settings.nInit; run++) {
    const seeding = await seedCentres(backend, sample, settings, rng);
    const { centres, iterations, converged, repairs } = await lloydIterations(
      (c) => passes.lloydPass(c, k),
      backend,
      sample,
      seeding.centres,
      settings,
      tolerance,
      run,
      history,
      hooks,
    );
    // Runs are compared by the inertia of their final centres: one more pass each.
    const inertia = settings.nInit > 1 ? (await passes.lloydPass(centres, k)).inertia : undefined;
    const result = {
      centres,
      iterations,
      converged,
      inertia,
      bestRun: run,
      seedPotential: seeding.potential,
      emptyClusterRepairs: repairs,
      history,
    };
    if (!best || (inertia !== undefined && best.inertia !== undefined && inertia < best.inertia))
      best = result;
  }
  return { ...best!, history };
}
