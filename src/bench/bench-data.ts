import { allocateMatrix, type DataMatrix } from '../data/matrix.js';
import { Rng } from '../util/rng.js';

/**
 * The synthetic data of `gpuseg bench` and the device check: K overlapping blobs of any N × D,
 * generated in memory from a seed, fast enough that generating never dominates a measurement.
 *
 * The first generator drew three Rng.nextDouble per value (two xoshiro steps each), row by row
 * into the column-major matrix: 10M×16 took ~36 s on the H200's host (every 10M stage of the
 * first device check spent 35-44 s of its 40 s there). Here the noise is the same kind — a sum
 * of three uniforms, spread ±18 (sd 6) around centres in [−10, 10]^D — drawn once into a table
 * of NOISE_TABLE values, and each value picks its entry by a counter-based hash of (seed,
 * feature, row): no state carried from value to value, one 32-bit hash for two values, each
 * column written in order. ~4 ns a value on a 2-core EPYC VM (10M×16: ~0.6 s, plus the first
 * touch of the matrix's pages).
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
/** (u1 + u2 + u3 − 1.5) × NOISE_SCALE: the first generator's noise. */
const NOISE_SCALE = 12;

/** Row i's cluster: (i · 2654435761) mod K, the first generator's rule, in exact integers. */
function rowClusters(rows: number, k: number): Uint8Array | Uint16Array | Uint32Array {
  const labels =
    k <= 256 ? new Uint8Array(rows) : k <= 65536 ? new Uint16Array(rows) : new Uint32Array(rows);
  const stride = 2654435761 % k;
  for (let i = 0, c = 0; i < rows; i++) {
    labels[i] = c;
    c += stride;
    if (c >= k) c -= k;
  }
  return labels;
}

/** Column j (n values): its rows' centres plus noise picked by hash32(row + key). */
function fillColumn(
  out: Float32Array,
  labels: ArrayLike<number>,
  centreOf: Float32Array,
  noise: Float32Array,
  key: number,
): void {
  const n = out.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const h = hash32((i + key) | 0);
    out[i] = centreOf[labels[i]] + noise[h & 0xffff];
    out[i + 1] = centreOf[labels[i + 1]] + noise[h >>> 16];
  }
  if (i < n) out[i] = centreOf[labels[i]] + noise[hash32((i + key) | 0) & 0xffff];
}

/**
 * N × D blobs around K centres, and K initial centres taken from rows (row (c · 7919) mod N for
 * centre c). The same arguments give the same bits on every platform.
 */
export function benchBlobs(
  rows: number,
  dims: number,
  k: number,
  seed: number,
): { matrix: DataMatrix; init: Float32Array } {
  const rng = new Rng(seed);
  const centres = Float32Array.from({ length: k * dims }, () => rng.nextDouble() * 20 - 10);
  const noise = Float32Array.from(
    { length: NOISE_TABLE },
    () => (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 1.5) * NOISE_SCALE,
  );
  const matrix = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_, j) => `f${j}`),
  );
  const labels = rowClusters(rows, k);
  const centreOf = new Float32Array(k);
  for (let j = 0; j < dims; j++) {
    for (let c = 0; c < k; c++) centreOf[c] = centres[c * dims + j];
    // A key per (seed, feature): each column counts from its own place in the hash's cycle.
    const key = rng.nextU32() | 0;
    fillColumn(matrix.data.subarray(j * rows, (j + 1) * rows), labels, centreOf, noise, key);
  }
  const init = new Float32Array(k * dims);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < dims; j++) init[c * dims + j] = matrix.data[j * rows + ((c * 7919) % rows)];
  return { matrix, init };
}
