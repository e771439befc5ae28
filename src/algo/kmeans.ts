import type { Backend, DatasetHandle, LloydSummary } from '../backend/backend.js';
import { readRow } from '../data/matrix.js';
import { Rng } from '../util/rng.js';
import { kmeansParallel, kmeansPlusPlus, randomInit, type Seeding } from './kmeans-init.js';

/**
 * How the first centres are chosen: greedy k-means++, k-means‖ (scalable k-means++, for large
 * data), random rows, or explicit K×D centres (feature order, row-major).
 */
export type KMeansInit = 'k-means++' | 'k-means||' | 'random' | Float32Array;

/** The k-means loop's settings, validated by the caller (src/api/params.ts). */
export interface KMeansSettings {
  k: number;
  init: KMeansInit;
  /** Independent runs; the one with the lowest inertia is kept. */
  nInit: number;
  maxIter: number;
  /** scikit-learn's tol: convergence when Σ‖Δc‖² ≤ tol × mean feature variance; 0 means 'labels stop changing'. */
  tol: number;
  seed: number;
}

/** What one Lloyd iteration did; returned for benches, tests and progress. */
export interface IterationStat {
  run: number;
  iteration: number;
  /** Inertia of the assignment made in this iteration (before its centre update). */
  inertia: number;
  /** Σ‖c_new − c_old‖² of the update. */
  shift: number;
  /** Rows whose label changed; −1 where not tracked (out-of-core fits keep no labels between passes). */
  changed: number;
  /** Empty clusters re-seeded in this iteration. */
  repairs: number;
  ms: number;
}

export interface KMeansResult {
  centres: Float32Array;
  labels: Int32Array;
  sqDistances: Float32Array;
  inertia: number;
  iterations: number;
  converged: boolean;
  /** The run (0-based) whose result was kept. */
  bestRun: number;
  /** Seeding potential of the kept run, when k-means++ was used. */
  seedPotential: number | undefined;
  emptyClusterRepairs: number;
  history: IterationStat[];
}

export interface KMeansHooks {
  onIteration?: (stat: IterationStat) => void;
}

/**
 * Lloyd's algorithm with scikit-learn's semantics (algorithm='lloyd'): iterate assign+accumulate
 * passes, stop when the labels stop changing or the centre shift falls to the scaled tolerance, and
 * finish with an assignment to the final centres so that labels and inertia match them.
 *
 * @param meanVariance mean over features of the population variance, for the tolerance scale.
 */
export async function runKMeans(
  backend: Backend,
  handle: DatasetHandle,
  settings: KMeansSettings,
  meanVariance: number,
  hooks: KMeansHooks = {},
): Promise<KMeansResult> {
  const rng = new Rng(settings.seed);
  const tolerance = settings.tol * meanVariance;
  const history: IterationStat[] = [];
  let best: KMeansResult | undefined;
  for (let run = 0; run < settings.nInit; run++) {
    const seeding = await seedCentres(backend, handle, settings, rng);
    const result = await lloyd(backend, handle, settings, seeding, tolerance, run, history, hooks);
    if (!best || result.inertia < best.inertia) best = { ...result, bestRun: run };
  }
  return { ...best!, history };
}

export async function seedCentres(
  backend: Backend,
  handle: DatasetHandle,
  settings: KMeansSettings,
  rng: Rng,
): Promise<Seeding> {
  if (settings.init instanceof Float32Array)
    return { centres: Float32Array.from(settings.init), potential: undefined, passes: 0 };
  if (settings.init === 'random') return randomInit(handle.matrix, settings.k, rng);
  if (settings.init === 'k-means||') return kmeansParallel(backend, handle, settings.k, rng);
  return kmeansPlusPlus(backend, handle, settings.k, rng);
}

async function lloyd(
  backend: Backend,
  handle: DatasetHandle,
  settings: KMeansSettings,
  seeding: Seeding,
  tolerance: number,
  run: number,
  history: IterationStat[],
  hooks: KMeansHooks,
): Promise<KMeansResult> {
  const { k } = settings;
  await backend.resetLabels(handle);
  const { centres, iterations, converged, repairs } = await lloydIterations(
    (c) => backend.lloydStep(handle, c, k),
    backend,
    handle,
    seeding.centres,
    settings,
    tolerance,
    run,
    history,
    hooks,
  );
  const final = await backend.assign(handle, centres, k);
  let inertia = 0;
  for (let i = 0; i < final.sqDistances.length; i++) inertia += final.sqDistances[i];
  return {
    centres,
    labels: final.labels,
    sqDistances: final.sqDistances,
    inertia,
    iterations,
    converged,
    bestRun: run,
    seedPotential: seeding.potential,
    emptyClusterRepairs: repairs,
    history,
  };
}

/**
 * Lloyd's iterations from `centres`: a `step` (an assign-and-accumulate pass over the data, in
 * memory or read from a file), empty clusters re-seeded from the rows of `repairOn` farthest from
 * their centres, the centre update; until no label changed, the centre shift falls to
 * `tolerance`, or settings.maxIter. Each iteration is recorded in `history` and reported.
 */
export async function lloydIterations(
  step: (centres: Float32Array) => Promise<LloydSummary>,
  backend: Backend,
  repairOn: DatasetHandle,
  centres: Float32Array,
  settings: KMeansSettings,
  tolerance: number,
  run: number,
  history: IterationStat[],
  hooks: KMeansHooks,
): Promise<{ centres: Float32Array; iterations: number; converged: boolean; repairs: number }> {
  const { k } = settings;
  const d = repairOn.dims;
  let iterations = 0;
  let repairsTotal = 0;
  for (let iteration = 0; iteration < settings.maxIter; iteration++) {
    const started = performance.now();
    const summary = await step(centres);
    const repairs = await repairEmptyClusters(
      backend,
      repairOn,
      centres,
      k,
      summary.sums,
      summary.counts,
    );
    repairsTotal += repairs;
    const { next, shift } = centreUpdate(centres, summary.sums, summary.counts, k, d);
    centres = next;
    iterations = iteration + 1;
    const stat: IterationStat = {
      run,
      iteration: iterations,
      inertia: summary.inertia,
      shift,
      changed: summary.changed,
      repairs,
      ms: performance.now() - started,
    };
    history.push(stat);
    hooks.onIteration?.(stat);
    // Out-of-core passes report changed = −1: only the shift decides there.
    if (summary.changed === 0 || shift <= tolerance)
      return { centres, iterations, converged: true, repairs: repairsTotal };
  }
  return { centres, iterations, converged: false, repairs: repairsTotal };
}

/** The Lloyd update: each centre moves to the mean of its rows; returns the new centres and Σ‖Δc‖². */
function centreUpdate(
  centres: Float32Array,
  sums: Float64Array,
  counts: Float64Array,
  k: number,
  d: number,
): { next: Float32Array; shift: number } {
  const next = new Float32Array(k * d);
  let shift = 0;
  for (let c = 0; c < k; c++) {
    const count = counts[c];
    for (let j = 0; j < d; j++) {
      const old = centres[c * d + j];
      // A cluster left with no rows after a repair keeps its centre rather than becoming NaN.
      const value = count > 0 ? Math.fround(sums[c * d + j] / count) : old;
      next[c * d + j] = value;
      shift += (value - old) * (value - old);
    }
  }
  return { next, shift };
}

/**
 * Re-seeds empty clusters as scikit-learn does: each takes one of the rows farthest from their
 * (old) centres, which leaves its previous cluster. Mutates sums and counts; returns how many.
 */
export async function repairEmptyClusters(
  backend: Backend,
  handle: DatasetHandle,
  centres: Float32Array,
  k: number,
  sums: Float64Array,
  counts: Float64Array,
): Promise<number> {
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return 0;
  const d = handle.dims;
  const { labels, sqDistances } = await backend.assign(handle, centres, k);
  const far = farthestRows(sqDistances, empty.length);
  const row = new Float32Array(d);
  empty.forEach((c, e) => {
    const r = far[e];
    if (r === undefined) return;
    readRow(handle.matrix, r, row);
    const old = labels[r];
    for (let j = 0; j < d; j++) {
      sums[old * d + j] -= row[j];
      sums[c * d + j] = row[j];
    }
    counts[old] -= 1;
    counts[c] = 1;
  });
  return empty.length;
}

/** Indices of the m largest values, largest first, lower index first among equals. */
function farthestRows(values: Float32Array, m: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (top.length === m && v <= values[top[m - 1]]) continue;
    let at = top.length;
    while (at > 0 && values[top[at - 1]] < v) at--;
    top.splice(at, 0, i);
    if (top.length > m) top.pop();
  }
  return top;
}
