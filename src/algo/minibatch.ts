import type { Backend, DatasetHandle } from '../backend/backend.js';
import { readRow, type DataMatrix } from '../data/matrix.js';
import { Rng } from '../util/rng.js';
import { kmeansPlusPlus, type Seeding } from './kmeans-init.js';
import type { IterationStat, KMeansResult } from './kmeans.js';
import { MiniBatchStopping } from './minibatch-stopping.js';
import { drawBatch, miniBatchBuffers, miniBatchStep } from './minibatch-step.js';
import { sumInOrder } from './sum-in-order.js';

/**
 * Mini-batch k-means (Sculley 2010) with scikit-learn's MiniBatchKMeans semantics: centres move
 * towards the mean of each random batch with per-centre learning rates 1/(rows seen), for
 * max_iter × N / batch_size steps at most (minibatch-step.ts), stopping early by scikit-learn's
 * rule (minibatch-stopping.ts): the smoothed batch inertia has not improved for `maxNoImprovement`
 * steps or, with tol > 0, the centres stopped moving.
 *
 * The steps touch batch_size rows each and run on the host (the point of mini-batches is not to
 * sweep the data); the backend does the passes that do sweep it: the final assignment, whose
 * labels and inertia are returned. Seeding is k-means++ on a random subset of 3 × batch_size rows,
 * as scikit-learn's init_size (it draws them with replacement, we without), on a backend from `openSeedingBackend` (a single-thread CPU backend
 * in fit, so that the seeds do not depend on the device the fit runs on); it is opened only for
 * k-means++ and disposed after. Reassignment of nearly empty centres is not done.
 */
export interface MiniBatchSettings {
  k: number;
  batchSize: number;
  /** Passes over the data, at most. */
  maxIter: number;
  /** Centre movement tolerance (scikit-learn's tol, scaled by the mean variance); 0 disables it. */
  tol: number;
  maxNoImprovement: number;
  seed: number;
  init: 'k-means++' | 'random' | Float32Array;
}

export async function runMiniBatchKMeans(
  backend: Backend,
  handle: DatasetHandle,
  s: MiniBatchSettings,
  meanVariance: number,
  openSeedingBackend: () => Promise<Backend>,
  onIteration?: (stat: IterationStat) => void,
): Promise<KMeansResult> {
  const { matrix } = handle;
  const n = matrix.rows;
  const d = matrix.dims;
  const k = s.k;
  const rng = new Rng(s.seed);
  const centres = Float64Array.from(await initialCentres(handle, s, rng, openSeedingBackend));
  const seen = new Float64Array(k);
  const steps = Math.max(1, Math.floor((s.maxIter * n) / s.batchSize));
  const stopping = new MiniBatchStopping(n, s.batchSize, s.tol * meanVariance, s.maxNoImprovement);
  const buffers = miniBatchBuffers(s.batchSize, k, d);
  let converged = false;
  let step = 0;
  const history: IterationStat[] = [];
  for (; step < steps; step++) {
    const started = performance.now();
    drawBatch(rng, n, buffers.rows);
    const { inertia, shift } = miniBatchStep(matrix.data, n, d, k, centres, seen, buffers);
    const stat: IterationStat = {
      run: 0,
      iteration: step + 1,
      inertia,
      shift,
      changed: 0,
      repairs: 0,
      ms: performance.now() - started,
    };
    history.push(stat);
    onIteration?.(stat);
    if (stopping.shouldStop(inertia, shift)) {
      converged = true;
      break;
    }
  }
  const final = Float32Array.from(centres);
  const { labels, sqDistances } = await backend.assign(handle, final, k);
  return {
    centres: final,
    labels,
    sqDistances,
    inertia: sumInOrder(sqDistances),
    iterations: Math.min(step + 1, steps),
    converged,
    bestRun: 0,
    seedPotential: undefined,
    emptyClusterRepairs: 0,
    history,
  };
}

/** Seeds from a random subset of 3 × batch_size rows (scikit-learn's init_size), on the host. */
async function initialCentres(
  handle: DatasetHandle,
  s: MiniBatchSettings,
  rng: Rng,
  openSeedingBackend: () => Promise<Backend>,
): Promise<Float32Array> {
  if (s.init instanceof Float32Array) return s.init;
  const { matrix } = handle;
  const size = Math.min(matrix.rows, Math.max(3 * s.batchSize, s.k));
  const rows = rng.sampleWithoutReplacement(matrix.rows, size);
  if (s.init === 'random')
    return Float32Array.from(rows.slice(0, s.k).flatMap((r) => Array.from(readRow(matrix, r))));
  const subset = plainSubset(matrix, rows);
  const seeder = await openSeedingBackend();
  try {
    const sub = await seeder.attach(subset);
    const seeding: Seeding = await kmeansPlusPlus(seeder, sub, s.k, rng);
    return seeding.centres;
  } finally {
    await seeder.dispose();
  }
}

/**
 * The seeding rows as a matrix of their own in a plain shared buffer: not in a WebAssembly kernel
 * memory (allocateMatrix's choice), whose per-thread scratch alone is ~17 MB a fit and whose
 * release forced a full collection every second fit; a few thousand rows on one thread need
 * neither (the seeding backend runs its JavaScript kernels on them).
 */
function plainSubset(matrix: DataMatrix, rows: readonly number[]): DataMatrix {
  const m = rows.length;
  const data = new Float32Array(new SharedArrayBuffer(Math.max(4, m * matrix.dims * 4)));
  for (let j = 0; j < matrix.dims; j++) {
    const from = j * matrix.rows;
    for (let i = 0; i < m; i++) data[j * m + i] = matrix.data[from + rows[i]];
  }
  return { rows: m, dims: matrix.dims, features: matrix.features, data };
}
