import type { Backend, DatasetHandle } from '../backend/backend.js';
import { readRow } from '../data/matrix.js';
import { Rng } from '../util/rng.js';
import { kmeansPlusPlus, type Seeding } from './kmeans-init.js';
import type { IterationStat, KMeansResult } from './kmeans.js';
import { matrixFromRows } from '../data/matrix.js';

/**
 * Mini-batch k-means (Sculley 2010) with scikit-learn's MiniBatchKMeans semantics: centres move
 * towards the mean of each random batch with per-centre learning rates 1/(rows seen), for
 * max_iter × N / batch_size steps at most, stopping early when the smoothed batch inertia has not
 * improved for `maxNoImprovement` steps (or, with tol > 0, when the centres stop moving).
 *
 * The steps touch batch_size rows each and run on the host (the point of mini-batches is not to
 * sweep the data); the backend does the passes that do sweep it: the final assignment, whose
 * labels and inertia are returned. Seeding is k-means++ on a random subset of 3 × batch_size rows,
 * as scikit-learn's init_size, on a backend from `openSeedingBackend` (a single-thread CPU backend
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
  const alpha = Math.min(1, (s.batchSize * 2) / (n + 1));
  const tolerance = s.tol * meanVariance;
  let ewa: number | undefined;
  let bestEwa = Infinity;
  let noImprovement = 0;
  let converged = false;
  let step = 0;
  const history: IterationStat[] = [];
  const x = new Float64Array(d);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (; step < steps; step++) {
    const started = performance.now();
    sums.fill(0);
    counts.fill(0);
    let batchInertia = 0;
    for (let b = 0; b < s.batchSize; b++) {
      const i = rng.nextInt(n);
      for (let j = 0; j < d; j++) x[j] = matrix.data[j * n + i];
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        let dist = 0;
        for (let j = 0; j < d; j++) dist += (x[j] - centres[c * d + j]) ** 2;
        if (dist < bestD) {
          bestD = dist;
          best = c;
        }
      }
      batchInertia += bestD;
      counts[best]++;
      for (let j = 0; j < d; j++) sums[best * d + j] += x[j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      const total = seen[c] + counts[c];
      for (let j = 0; j < d; j++) {
        const next = (centres[c * d + j] * seen[c] + sums[c * d + j]) / total;
        shift += (next - centres[c * d + j]) ** 2;
        centres[c * d + j] = next;
      }
      seen[c] = total;
    }
    const meanInertia = batchInertia / s.batchSize;
    const stat: IterationStat = {
      run: 0,
      iteration: step + 1,
      inertia: batchInertia,
      shift,
      changed: 0,
      repairs: 0,
      ms: performance.now() - started,
    };
    history.push(stat);
    onIteration?.(stat);
    // As scikit-learn: the first step's inertia is measured against the initial centres, so it
    // neither starts the average nor stops the fit. Averaging it in would make the average fall
    // for ~3/alpha steps (one and a half passes over the data) as it forgets the seeding.
    if (step === 0) continue;
    ewa = ewa === undefined ? meanInertia : ewa * (1 - alpha) + meanInertia * alpha;
    if (tolerance > 0 && shift / k <= tolerance) {
      converged = true;
      break;
    }
    if (ewa < bestEwa) {
      bestEwa = ewa;
      noImprovement = 0;
    } else if (++noImprovement >= s.maxNoImprovement) {
      converged = true;
      break;
    }
  }
  const final = Float32Array.from(centres);
  const { labels, sqDistances } = await backend.assign(handle, final, k);
  let inertia = 0;
  for (const v of sqDistances) inertia += v;
  return {
    centres: final,
    labels,
    sqDistances,
    inertia,
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
  const subset = matrixFromRows(
    rows.map((r) => Array.from(readRow(matrix, r))),
    matrix.features,
  );
  if (s.init === 'random')
    return Float32Array.from(rows.slice(0, s.k).flatMap((r) => Array.from(readRow(matrix, r))));
  const seeder = await openSeedingBackend();
  try {
    const sub = await seeder.attach(subset);
    const seeding: Seeding = await kmeansPlusPlus(seeder, sub, s.k, rng);
    return seeding.centres;
  } finally {
    await seeder.dispose();
  }
}
