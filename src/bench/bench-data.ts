import { allocateMatrix, type DataMatrix } from '../data/matrix.js';
import { Rng } from '../util/rng.js';

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

/**
 * K blobs in D features from a seed: centres in [−10, 10]^D and a noise (drawn from the seed's
 * stream by `noise`, NOISE_TABLE times); any rows of any feature, the same bits for the same
 * seed wherever they are asked for (a whole matrix, or batch by batch).
 */
export class BlobGenerator {
  readonly centres: Float32Array;
  private readonly noise: Float32Array;
  /** Each feature's place in the hash's cycle. */
  private readonly keys: Int32Array;

  constructor(
    readonly dims: number,
    readonly k: number,
    seed: number,
    noise: (rng: Rng) => number,
  ) {
    const rng = new Rng(seed);
    this.centres = Float32Array.from({ length: k * dims }, () => rng.nextDouble() * 20 - 10);
    this.noise = Float32Array.from({ length: NOISE_TABLE }, () => noise(rng));
    this.keys = Int32Array.from({ length: dims }, () => rng.nextU32() | 0);
  }

  /** Rows start … start + rows − 1, column-major (feature j at j × rows), into `out`. */
  fill(out: Float32Array, start: number, rows: number): void {
    const labels = rowClusters(start, rows, this.k);
    const centreOf = new Float32Array(this.k);
    for (let j = 0; j < this.dims; j++) {
      for (let c = 0; c < this.k; c++) centreOf[c] = this.centres[c * this.dims + j];
      const column = out.subarray(j * rows, (j + 1) * rows);
      fillColumn(column, start, labels, centreOf, this.noise, this.keys[j]);
    }
  }
}

/** The bench's noise: (u1 + u2 + u3 − 1.5) × 12, the first generator's. */
const benchNoise = (rng: Rng): number =>
  (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 1.5) * 12;

/**
 * The bench's N × D blobs around K centres, and K initial centres taken from rows (row
 * (c · 7919) mod N for centre c). The same arguments give the same bits on every platform.
 */
export function benchBlobs(
  rows: number,
  dims: number,
  k: number,
  seed: number,
): { matrix: DataMatrix; init: Float32Array } {
  const matrix = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_, j) => `f${j}`),
  );
  new BlobGenerator(dims, k, seed, benchNoise).fill(matrix.data, 0, rows);
  const init = new Float32Array(k * dims);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < dims; j++) init[c * dims + j] = matrix.data[j * rows + ((c * 7919) % rows)];
  return { matrix, init };
}
