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
export async function kmeansPlusPlus(backend: Backend, handle: DatasetHandle, k: number, rng: Rng): Promise<Seeding> {
  const { matrix } = handle;
  const d = matrix.dims;
  const n = matrix.rows;
  const centres = new Float32Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.nextInt(n);
  centres.set(readRow(matrix, first), 0);
  let blockSums = await backend.seedReset(handle, centres.subarray(0, d));
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
    blockSums = await backend.seedUpdate(handle, centres.subarray(c * d, (c + 1) * d));
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
async function sampleRow(backend: Backend, handle: DatasetHandle, cumulative: Float64Array, target: number): Promise<number> {
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
