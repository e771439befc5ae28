import type { Backend, DatasetHandle } from '../backend/backend.js';
import { Rng } from '../util/rng.js';
import { kmeansPlusPlus, randomInit } from './kmeans-init.js';
import { repairEmptyClusters } from './kmeans.js';

/**
 * k-prototypes (Huang 1998): numeric features summarised by means, categorical ones by modes, and
 * the cost of a row to a prototype Σ_j (x_j − μ_j)² + γ·(number of categorical mismatches).
 *
 * An exact reduction to the k-means passes, so every backend runs it and CPU and GPU agree as
 * their Lloyd steps do. With a categorical value as a one-hot vector e_x and a mode as e_m,
 * ‖e_x − e_m‖² is 2 on a mismatch and 0 on a match; so in the space
 *     [ s·x_numeric , one-hot indicators (0/1) ],   s = √(2/γ),
 * the squared Euclidean distance from a row to [ s·μ , e_mode ] is (2/γ)·(Huang's cost). The
 * backend's Lloyd step (nearest centre, lowest index on ties; per-cluster sums and counts) is
 * therefore the k-prototypes assignment step, its sums of the numeric columns give the means, and
 * its sums of the indicator columns are per-cluster category counts, exact integers (0/1 values),
 * from which the modes are taken (the most frequent category, the first in category order on
 * ties). The update is batch, as Lloyd's: every row assigned, then every prototype moved (Huang
 * moves a prototype after each reassignment; the batch form has the same fixed points, and its
 * cost never rises either).
 *
 * The dataset handed in must be in that space (prep/categorical.ts: kprototypesSpace).
 */
export interface KPrototypesSettings {
  k: number;
  /** Weight of one mismatch, against squared distance in the numeric clustering space. */
  gamma: number;
  /** Numeric columns of the dataset (first); the indicator blocks follow. */
  numericDims: number;
  /** Categories of each categorical column, in the dataset's order. */
  categories: readonly number[];
  /** k-means++ under the mixed cost, or k distinct random rows (Huang's initialisation). */
  init: 'k-means++' | 'random';
  nInit: number;
  maxIter: number;
  /** Stop when the cost falls by no more than tol × cost; 0: when no label changes. */
  tol: number;
  seed: number;
}

export interface KPrototypesIteration {
  run: number;
  iteration: number;
  /** Huang's cost of this iteration's assignment (before its prototype update). */
  cost: number;
  changed: number;
  repairs: number;
  ms: number;
}

export interface KPrototypesResult {
  /**
   * K×numericDims means, in the numeric clustering space: the float32 centres divided by s in
   * float64, so that prototypeCentres gives back exactly the centres the fit assigned with.
   */
  means: Float64Array;
  /** K×C modes: category indices. */
  modes: Int32Array;
  labels: Int32Array;
  /** Each row's cost to its prototype. */
  costs: Float32Array;
  /** Σ costs. */
  cost: number;
  iterations: number;
  converged: boolean;
  emptyClusterRepairs: number;
  history: KPrototypesIteration[];
}

/** √(2/γ): the scale of the numeric columns in the space where k-prototypes is k-means. */
export function kprototypesScale(gamma: number): number {
  return Math.sqrt(2 / gamma);
}

export async function runKPrototypes(
  backend: Backend,
  handle: DatasetHandle,
  settings: KPrototypesSettings,
  onIteration?: (stat: KPrototypesIteration) => void,
): Promise<KPrototypesResult> {
  const rng = new Rng(settings.seed);
  const history: KPrototypesIteration[] = [];
  let best: KPrototypesResult | undefined;
  for (let run = 0; run < settings.nInit; run++) {
    const seeding =
      settings.init === 'random'
        ? randomInit(handle.matrix, settings.k, rng)
        : await kmeansPlusPlus(backend, handle, settings.k, rng);
    const result = await iterate(
      backend,
      handle,
      settings,
      seeding.centres,
      run,
      history,
      onIteration,
    );
    if (!best || result.cost < best.cost) best = result;
  }
  return { ...best!, history };
}

async function iterate(
  backend: Backend,
  handle: DatasetHandle,
  settings: KPrototypesSettings,
  centres: Float32Array,
  run: number,
  history: KPrototypesIteration[],
  onIteration: ((stat: KPrototypesIteration) => void) | undefined,
): Promise<KPrototypesResult> {
  const { k, gamma } = settings;
  const half = gamma / 2;
  await backend.resetLabels(handle);
  let iterations = 0;
  let converged = false;
  let repairsTotal = 0;
  let previous = Infinity;
  for (let iteration = 0; iteration < settings.maxIter; iteration++) {
    const started = performance.now();
    const summary = await backend.lloydStep(handle, centres, k);
    const cost = summary.inertia * half;
    const repairs = await repairEmptyClusters(
      backend,
      handle,
      centres,
      k,
      summary.sums,
      summary.counts,
    );
    repairsTotal += repairs;
    centres = prototypeUpdate(centres, summary.sums, summary.counts, settings, handle.dims);
    iterations = iteration + 1;
    const stat = {
      run,
      iteration: iterations,
      cost,
      changed: summary.changed,
      repairs,
      ms: performance.now() - started,
    };
    history.push(stat);
    onIteration?.(stat);
    if (summary.changed === 0 || (settings.tol > 0 && previous - cost <= settings.tol * cost)) {
      converged = true;
      break;
    }
    previous = cost;
  }
  const final = await backend.assign(handle, centres, k);
  const costs = Float32Array.from(final.sqDistances, (v) => v * half);
  let cost = 0;
  for (let i = 0; i < final.sqDistances.length; i++) cost += final.sqDistances[i];
  return {
    ...splitPrototypes(centres, settings, handle.dims),
    labels: final.labels,
    costs,
    cost: cost * half,
    iterations,
    converged,
    emptyClusterRepairs: repairsTotal,
    history,
  };
}

/** New prototypes: numeric means of each cluster's rows and one-hot modes of its categories. */
function prototypeUpdate(
  centres: Float32Array,
  sums: Float64Array,
  counts: Float64Array,
  settings: KPrototypesSettings,
  d: number,
): Float32Array {
  const next = Float32Array.from(centres);
  for (let c = 0; c < settings.k; c++) {
    const count = counts[c];
    // A cluster left with no rows keeps its prototype (repairs give every empty cluster a row
    // unless there are fewer distinct rows than k).
    if (!(count > 0)) continue;
    const row = c * d;
    for (let j = 0; j < settings.numericDims; j++)
      next[row + j] = Math.fround(sums[row + j] / count);
    let at = settings.numericDims;
    for (const size of settings.categories) {
      let mode = 0;
      for (let l = 1; l < size; l++) if (sums[row + at + l] > sums[row + at + mode]) mode = l;
      for (let l = 0; l < size; l++) next[row + at + l] = l === mode ? 1 : 0;
      at += size;
    }
  }
  return next;
}

/** Means back in the numeric clustering space, and modes as category indices. */
function splitPrototypes(
  centres: Float32Array,
  settings: KPrototypesSettings,
  d: number,
): { means: Float64Array; modes: Int32Array } {
  const { k, numericDims: q, categories } = settings;
  const s = kprototypesScale(settings.gamma);
  const means = new Float64Array(k * q);
  const modes = new Int32Array(k * categories.length);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < q; j++) means[c * q + j] = centres[c * d + j] / s;
    let at = q;
    categories.forEach((size, m) => {
      let mode = 0;
      for (let l = 0; l < size; l++) if (centres[c * d + at + l] === 1) mode = l;
      modes[c * categories.length + m] = mode;
      at += size;
    });
  }
  return { means, modes };
}

/** The prototypes as centres of the k-prototypes space (predict assigns with them). */
export function prototypeCentres(
  means: Float64Array,
  modes: Int32Array,
  k: number,
  numericDims: number,
  categories: readonly number[],
  gamma: number,
): Float32Array {
  const s = kprototypesScale(gamma);
  const width = categories.reduce((a, b) => a + b, 0);
  const d = numericDims + width;
  const centres = new Float32Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < numericDims; j++) centres[c * d + j] = means[c * numericDims + j] * s;
    let at = numericDims;
    categories.forEach((size, m) => {
      centres[c * d + at + modes[c * categories.length + m]] = 1;
      at += size;
    });
  }
  return centres;
}

/**
 * Huang's default γ: half the mean standard deviation of the numeric columns (of the clustering
 * space: 0.5 when they are standardised). Huang (1998) suggests γ between 1/3 and 2/3 of it.
 */
export function defaultGamma(stds: readonly number[]): number {
  if (stds.length === 0) return 1;
  const mean = stds.reduce((a, b) => a + b, 0) / stds.length;
  return mean > 0 ? mean / 2 : 1;
}
