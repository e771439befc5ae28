import type { Backend, DatasetHandle, LloydSummary } from '../backend/backend.js';
import { Rng } from '../util/rng.js';
import { centreUpdate, repairEmptyClusters, seedCentres, type IterationStat, type KMeansHooks, type KMeansSettings } from './kmeans.js';

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
  const d = sample.dims;
  let best: OutOfCoreKMeansResult | undefined;
  for (let run = 0; run < settings.nInit; run++) {
    const seeding = await seedCentres(backend, sample, settings, rng);
    let centres = seeding.centres;
    let iterations = 0;
    let converged = false;
    let repairsTotal = 0;
    for (let iteration = 0; iteration < settings.maxIter; iteration++) {
      const started = performance.now();
      const step = await passes.lloydPass(centres, k);
      const repairs = await repairEmptyClusters(backend, sample, centres, k, step.sums, step.counts);
      repairsTotal += repairs;
      const { next, shift } = centreUpdate(centres, step.sums, step.counts, k, d);
      centres = next;
      iterations = iteration + 1;
      const stat: IterationStat = { run, iteration: iterations, inertia: step.inertia, shift, changed: step.changed, repairs, ms: performance.now() - started };
      history.push(stat);
      hooks.onIteration?.(stat);
      if (shift <= tolerance) {
        converged = true;
        break;
      }
    }
    // Runs are compared by the inertia of their final centres: one more pass each.
    const inertia = settings.nInit > 1 ? (await passes.lloydPass(centres, k)).inertia : undefined;
    const result = { centres, iterations, converged, inertia, bestRun: run, seedPotential: seeding.potential, emptyClusterRepairs: repairsTotal, history };
    if (!best || (inertia !== undefined && best.inertia !== undefined && inertia < best.inertia)) best = result;
  }
  return { ...best!, history };
}
