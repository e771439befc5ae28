import { allocateMatrix, type DataMatrix } from '../data/matrix.js';
import { Rng } from '../util/rng.js';
import { blobThreads, fillOnThreads } from './blob-threads.js';

/**
 * The synthetic data of `gpuseg bench`, the device check and bench/gen-features.ts: K
 * overlapping blobs of any N × D, generated from a seed, fast enough that generating never
 * dominates a measurement.
 *
 * The first generator drew three Rng.nextDouble per value (two xoshiro steps each), row by row
 * into the column-major matrix: 10M×16 took ~36 s on the H200's host (every 10M stage of the
 * first device check spent 35-44 s of its 40 s there). Here the noise is the same kind — for the
 * bench a sum of three uniforms, spread ±18 (sd 6) around centres in [−10, 10]^D — drawn once
 * into a table of NOISE_TABLE values, and each value picks its entry by a counter-based hash of
 * (seed, feature, row): no state carried from value to value, one 32-bit hash for two values,
 * each column written in order. ~4 ns a value on a 2-core EPYC VM (10M×16: ~0.6 s, plus the
 * first touch of the matrix's pages).
 */

/** A 32-bit integer mixer (lowbias32, Wellons): every input bit moves every output bit. */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Noise values drawn up front; a value's hash picks one (16 bits: two values per hash). */
const NOISE_TABLE = 1 << 16;

/** Row r's cluster: (r · 2654435761) mod K, the first generator's rule, in exact integers. */
function rowClusters(
  start: number,
  rows: number,
  k: number,
): Uint8Array | Uint16Array | Uint32Array {
  const labels =
    k <= 256 ? new Uint8Array(rows) : k <= 65536 ? new Uint16Array(rows) : new Uint32Array(rows);
  const stride = 2654435761 % k;
  // (start · stride) mod K without leaving exact integers: start < 2^53 / K is not assumed.
  let c = Number((BigInt(start) * BigInt(stride)) % BigInt(k));
  for (let i = 0; i < rows; i++) {
    labels[i] = c;
    c += stride;
    if (c >= k) c -= k;
  }
  return labels;
}

/**
 * Rows start … start + n − 1 of one column: their centres plus noise. Row r's noise is half of
 * hash32((r with its lowest bit cleared) + key) — the low 16 bits for even r, the high for odd —
 * so a row's value does not depend on where a batch starts.
 */
function fillColumn(
  out: Float32Array,
  start: number,
  labels: ArrayLike<number>,
  centreOf: Float32Array,
  noise: Float32Array,
  key: number,
): void {
  const n = out.length;
  let i = 0;
  if (start & 1 && n > 0) {
    out[0] = centreOf[labels[0]] + noise[hash32((start - 1 + key) | 0) >>> 16];
    i = 1;
  }
  for (; i + 1 < n; i += 2) {
    const h = hash32((start + i + key) | 0);
    out[i] = centreOf[labels[i]] + noise[h & 0xffff];
    out[i + 1] = centreOf[labels[i + 1]] + noise[h >>> 16];
  }
  if (i < n) out[i] = centreOf[labels[i]] + noise[hash32((start + i + key) | 0) & 0xffff];
}

/** What a BlobGenerator draws from its seed (a worker thread gets it as it is: blob-worker.ts). */
export interface BlobState {
  dims: number;
  k: number;
  /** K × D centres in [−10, 10]. */
  centres: Float32Array;
  /** NOISE_TABLE noise values. */
  noise: Float32Array;
  /** Each feature's place in the hash's cycle. */
  keys: Int32Array;
}

/**
 * K blobs in D features from a seed: centres in [−10, 10]^D and a noise (drawn from the seed's
 * stream by `noise`, NOISE_TABLE times); any rows of any feature, the same bits for the same
 * seed wherever they are asked for (a whole matrix, batch by batch, or feature by feature on
 * several threads).
 */
export class BlobGenerator {
  private constructor(readonly state: BlobState) {}

  static seeded(dims: number, k: number, seed: number, noise: (rng: Rng) => number): BlobGenerator {
    const rng = new Rng(seed);
    return new BlobGenerator({
      dims,
      k,
      centres: Float32Array.from({ length: k * dims }, () => rng.nextDouble() * 20 - 10),
      noise: Float32Array.from({ length: NOISE_TABLE }, () => noise(rng)),
      keys: Int32Array.from({ length: dims }, () => rng.nextU32() | 0),
    });
  }

  static from(state: BlobState): BlobGenerator {
    return new BlobGenerator(state);
  }

  /**
   * Rows start … start + rows − 1, column-major (feature j at j × rows), into `out`: features
   * `first` up to (not including) `end`, by default all of them.
   */
  fill(out: Float32Array, start: number, rows: number, first = 0, end = this.state.dims): void {
    const { k, centres, noise, keys, dims } = this.state;
    const labels = rowClusters(start, rows, k);
    const centreOf = new Float32Array(k);
    for (let j = first; j < end; j++) {
      for (let c = 0; c < k; c++) centreOf[c] = centres[c * dims + j];
      const column = out.subarray(j * rows, (j + 1) * rows);
      fillColumn(column, start, labels, centreOf, noise, keys[j]);
    }
  }
}

/** The bench's noise: (u1 + u2 + u3 − 1.5) × 12, the first generator's. */
const benchNoise = (rng: Rng): number =>
  (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 1.5) * 12;

/**
 * The bench's N × D blobs around K centres, and K initial centres taken from rows (row
 * (c · 7919) mod N for centre c). The same arguments give the same bits on every platform, with
 * any number of `threads` (by default one for small data, else up to 8 cores: blob-threads.ts).
 */
export async function benchBlobs(
  rows: number,
  dims: number,
  k: number,
  seed: number,
  threads = blobThreads(rows, dims),
): Promise<{ matrix: DataMatrix; init: Float32Array }> {
  const matrix = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_, j) => `f${j}`),
  );
  await fillOnThreads(BlobGenerator.seeded(dims, k, seed, benchNoise), matrix.data, rows, threads);
  const init = new Float32Array(k * dims);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < dims; j++) init[c * dims + j] = matrix.data[j * rows + ((c * 7919) % rows)];
  return { matrix, init };
}
