import { SEED_BLOCK_ROWS, type Backend, type DatasetHandle } from '../backend/backend.js';
import { readRow, type DataMatrix } from '../data/matrix.js';
import type { Rng } from '../util/rng.js';

/** Result of a seeding: K×D float32 centres and, for k-means++, the final potential Σ min‖x − c‖². */
export interface Seeding {
  centres: Float32Array;
  potential: number | undefined;
  /** Passes over the data the seeding made. */
  passes: number;
}

/** K distinct rows chosen uniformly (scikit-learn's init='random'). */
export function randomInit(matrix: DataMatrix, k: number, rng: Rng): Seeding {
  const rows = rng.sampleWithoutReplacement(matrix.rows, k);
  const centres = new Float32Array(k * matrix.dims);
  rows.forEach((r, c) => centres.set(readRow(matrix, r), c * matrix.dims));
  return { centres, potential: undefined, passes: 0 };
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's 2 + ⌊ln k⌋ local trials per
 * centre). The distances live on the backend (one pass per candidate batch and one per chosen
 * centre); the host only samples rows from per-block sums of the minimum distances, reading back
 * one block of SEED_BLOCK_ROWS values per candidate.
 */
export async function kmeansPlusPlus(
  backend: Backend,
  handle: DatasetHandle,
  k: number,
  rng: Rng,
): Promise<Seeding> {
  const { matrix } = handle;
  const d = matrix.dims;
  const n = matrix.rows;
  const centres = new Float32Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.nextInt(n);
  centres.set(readRow(matrix, first), 0);
  let blockSums = await backend.seedReset(handle, centres.subarray(0, d), 1);
  let passes = 1;
  let potential = sum(blockSums);
  const candidates = new Float32Array(trials * d);
  for (let c = 1; c < k; c++) {
    const cumulative = cumulativeSums(blockSums);
    const rows: number[] = [];
    for (let t = 0; t < trials; t++) {
      rows.push(await sampleRow(backend, handle, cumulative, rng.nextDouble() * potential));
    }
    rows.forEach((r, t) => candidates.set(readRow(matrix, r), t * d));
    const potentials = await backend.seedPotentials(handle, candidates, trials);
    passes++;
    let best = 0;
    for (let t = 1; t < trials; t++) if (potentials[t] < potentials[best]) best = t;
    centres.set(candidates.subarray(best * d, (best + 1) * d), c * d);
    blockSums = await backend.seedUpdate(handle, centres.subarray(c * d, (c + 1) * d), 1);
    passes++;
    potential = sum(blockSums);
  }
  return { centres, potential, passes };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

function cumulativeSums(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let s = 0;
  for (let i = 0; i < values.length; i++) out[i] = s += values[i];
  return out;
}

/**
 * The first row whose running sum of min_dist reaches `target` (numpy's searchsorted, side 'left'),
 * found by block on the host and then within the block from its values on the backend.
 */
async function sampleRow(
  backend: Backend,
  handle: DatasetHandle,
  cumulative: Float64Array,
  target: number,
): Promise<number> {
  const n = handle.rows;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] >= target) hi = mid;
    else lo = mid + 1;
  }
  const block = lo;
  const start = block * SEED_BLOCK_ROWS;
  const count = Math.min(SEED_BLOCK_ROWS, n - start);
  const values = await backend.seedReadMinDist(handle, start, count);
  let running = block > 0 ? cumulative[block - 1] : 0;
  let lastPositive = -1;
  for (let i = 0; i < count; i++) {
    if (values[i] > 0) lastPositive = i;
    running += values[i];
    if (running >= target && values[i] > 0) return start + i;
  }
  // Rounding between the block's sum and its values: take the block's last row with weight.
  return lastPositive >= 0 ? start + lastPositive : Math.min(n - 1, start + count - 1);
}

/** Settings of k-means‖: rounds of oversampling, each expecting `oversampling` × k new candidates. */
export interface ParallelSeedingOptions {
  rounds: number;
  oversampling: number;
}

/**
 * Spark MLlib's defaults (initializationSteps = 2; Bahmani et al. found a few rounds of ℓ = 2k
 * enough): each round is two passes over the data.
 */
const PARALLEL_SEEDING_DEFAULTS: ParallelSeedingOptions = { rounds: 2, oversampling: 2 };

/**
 * k-means‖ (Bahmani et al. 2012, "Scalable k-means++"), as Spark MLlib and cuML seed large data:
 * start from one random row; in each round keep every row independently with probability
 * min(1, ℓ·d²(x)/φ) (ℓ = oversampling × k, φ = the current potential) — one sampling pass and one
 * distance pass on the backend, however many rows are kept; weight each candidate by the rows
 * nearest to it (one counting pass: candidateWeights); then recluster the weighted candidates into k centres on
 * the host (greedy weighted k-means++, then weighted Lloyd). 2·rounds + 3 passes instead of k-means++'s
 * 2k − 1, which is what makes it the choice for tens of millions of rows.
 */
export async function kmeansParallel(
  backend: Backend,
  handle: DatasetHandle,
  k: number,
  rng: Rng,
  options = PARALLEL_SEEDING_DEFAULTS,
): Promise<Seeding> {
  const { matrix } = handle;
  const d = matrix.dims;
  const n = matrix.rows;
  const chosen: number[] = [rng.nextInt(n)];
  const taken = new Set(chosen);
  let phi = sum(await backend.seedReset(handle, readRow(matrix, chosen[0]), 1));
  let passes = 1;
  const ell = options.oversampling * k;
  for (let round = 0; round < options.rounds && phi > 0; round++) {
    const sampled = await backend.seedSample(handle, ell / phi, rng.nextU32());
    passes++;
    const fresh = Array.from(sampled).filter((r) => !taken.has(r));
    if (fresh.length === 0) continue;
    const block = new Float32Array(fresh.length * d);
    fresh.forEach((r, i) => {
      block.set(readRow(matrix, r), i * d);
      taken.add(r);
      chosen.push(r);
    });
    phi = sum(await backend.seedUpdate(handle, block, fresh.length));
    passes++;
  }
  // Too few candidates (tiny or degenerate data): top up with distinct random rows.
  for (const r of rng.sampleWithoutReplacement(n, Math.min(n, k + taken.size))) {
    if (chosen.length >= k) break;
    if (!taken.has(r)) {
      taken.add(r);
      chosen.push(r);
    }
  }
  const m = chosen.length;
  const candidates = new Float32Array(m * d);
  chosen.forEach((r, i) => candidates.set(readRow(matrix, r), i * d));
  const weights = await candidateWeights(backend, handle, candidates, m);
  passes++;
  const centres = weightedKMeans(candidates, weights, m, d, k, rng);
  const potential = sum(await backend.seedReset(handle, centres, k));
  passes++;
  return { centres, potential, passes };
}

/**
 * Up to this many candidate statistics (m·(D + 1): the sums and counts of a Lloyd step against the
 * candidates), the weights come from a Lloyd step's counts; past it, from an assignment's labels.
 */
const WEIGHTS_BY_STEP_MAX_OUTPUTS = 16_384;

/**
 * Candidates are counted in sets of a multiple of this many, the last candidate repeated: the
 * kernels are compiled per number of centres, and the k-means‖ draw gives a different number
 * nearly every time (33 ± 6 at k = 8), so each seeding compiled one program before; now one
 * program serves 16 counts in a row. A repeat is never nearest (ties go to the lowest index).
 */
export const CANDIDATE_SET_MULTIPLE = 16;

/**
 * The rows nearest to each candidate (lowest index on ties), as exact counts. A Lloyd step against
 * the candidates returns them as a summary of m·(D + 1) + 2 values — no per-row output, so a GPU
 * reads back kilobytes where an assignment reads back every row's label and distance (8 bytes a
 * row: 80 MB at 10M rows) and the host counts them. Its labels are the assignment's (the same
 * kernels), so the counts are too. With many candidates (k-means‖ for micro-clusters: thousands)
 * the step's per-workgroup statistics outgrow it and the assignment counts instead.
 */
async function candidateWeights(
  backend: Backend,
  handle: DatasetHandle,
  candidates: Float32Array,
  m: number,
): Promise<Float64Array> {
  const d = handle.dims;
  const padded = Math.ceil(m / CANDIDATE_SET_MULTIPLE) * CANDIDATE_SET_MULTIPLE;
  const set = new Float32Array(padded * d);
  set.set(candidates.subarray(0, m * d));
  for (let c = m; c < padded; c++) set.copyWithin(c * d, (m - 1) * d, m * d);
  if (padded * (d + 1) <= WEIGHTS_BY_STEP_MAX_OUTPUTS) {
    const { counts } = await backend.lloydStep(handle, set, padded, { storeLabels: false });
    return Float64Array.from(counts.subarray(0, m));
  }
  const { labels } = await backend.assign(handle, set, padded);
  const weights = new Float64Array(m);
  for (let i = 0; i < labels.length; i++) weights[labels[i]]++;
  return weights;
}

/** Weighted k-means on a few thousand candidates, in float64 on the host: greedy k-means++ by weight, then Lloyd. */
function weightedKMeans(
  points: Float32Array,
  weights: Float64Array,
  m: number,
  d: number,
  k: number,
  rng: Rng,
): Float32Array {
  const dist2 = (i: number, c: Float64Array, o: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = points[i * d + j] - c[o + j];
      s += t * t;
    }
    return s;
  };
  const centres = new Float64Array(k * d);
  const pick = (scores: Float64Array): number => {
    let total = 0;
    for (const v of scores) total += v;
    let target = rng.nextDouble() * total;
    for (let i = 0; i < m; i++) {
      target -= scores[i];
      if (target < 0 && scores[i] > 0) return i;
    }
    for (let i = m - 1; i >= 0; i--) if (scores[i] > 0) return i;
    return rng.nextInt(m);
  };
  const first = pick(weights);
  for (let j = 0; j < d; j++) centres[j] = points[first * d + j];
  const nearest = new Float64Array(m).fill(Infinity);
  // Greedy, as kmeansPlusPlus: the best of 2 + ⌊ln k⌋ draws by the weighted potential it leaves.
  // The candidates are few, the draws cheap, and the seeds the Lloyd run starts from markedly
  // better than one draw each (at 1M rows: fewer iterations to a lower inertia).
  const trials = 2 + Math.floor(Math.log(k));
  const point = new Float64Array(d);
  for (let c = 1; c < k; c++) {
    const scores = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      nearest[i] = Math.min(nearest[i], dist2(i, centres, (c - 1) * d));
      scores[i] = weights[i] * nearest[i];
    }
    let next = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const candidate = pick(scores);
      for (let j = 0; j < d; j++) point[j] = points[candidate * d + j];
      let potential = 0;
      for (let i = 0; i < m; i++)
        potential += weights[i] * Math.min(nearest[i], dist2(i, point, 0));
      if (potential < bestPotential) {
        bestPotential = potential;
        next = candidate;
      }
    }
    for (let j = 0; j < d; j++) centres[c * d + j] = points[next * d + j];
  }
  const assignment = new Int32Array(m).fill(-1);
  for (let iteration = 0; iteration < 100; iteration++) {
    let moved = 0;
    for (let i = 0; i < m; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const v = dist2(i, centres, c * d);
        if (v < bestD) {
          bestD = v;
          best = c;
        }
      }
      if (assignment[i] !== best) moved++;
      assignment[i] = best;
    }
    if (moved === 0) break;
    const sums = new Float64Array(k * d);
    const mass = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      const c = assignment[i];
      mass[c] += weights[i];
      for (let j = 0; j < d; j++) sums[c * d + j] += weights[i] * points[i * d + j];
    }
    for (let c = 0; c < k; c++)
      if (mass[c] > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / mass[c];
  }
  return Float32Array.from(centres);
}
