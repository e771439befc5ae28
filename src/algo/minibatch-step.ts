/**
 * One step of mini-batch k-means on the host (minibatch.ts runs the loop): the batch's rows are
 * drawn, each is scored against the current centres, and every centre moves towards the mean of
 * its batch rows with the learning rate 1 / (rows it has seen), as scikit-learn's
 * `_mini_batch_step` with unit weights and no reassignment. It assumes valid input: `centres` is
 * k × d, the matrix column-major n × d.
 *
 * A plain function over typed arrays, apart from the loop: V8 optimises it once, on the warm-up
 * fits of a process, where the same code inlined in the (async) loop was recompiled and
 * deoptimised on each fit (36 batches of 1,024 rows took 40-190 ms of CPU time instead of ~3).
 */
import type { Rng } from '../util/rng.js';

/** The buffers of a step, allocated once per fit. */
export interface MiniBatchBuffers {
  /** IN: the batch's row indices (filled by the caller's draws). */
  rows: Int32Array;
  /** Scratch: per-centre sums (k × d) and counts of the batch. */
  sums: Float64Array;
  counts: Float64Array;
}

export function miniBatchBuffers(batchSize: number, k: number, d: number): MiniBatchBuffers {
  return {
    rows: new Int32Array(batchSize),
    sums: new Float64Array(k * d),
    counts: new Float64Array(k),
  };
}

/** Fills `rows` with a batch of row indices in [0, n), drawn with replacement as scikit-learn's randint(0, n, batch_size). */
export function drawBatch(rng: Rng, n: number, rows: Int32Array): void {
  for (let b = 0; b < rows.length; b++) rows[b] = rng.nextInt(n);
}

/**
 * Scores the batch `buffers.rows` against `centres` and moves them (IN/OUT, float64 k × d), with
 * `seen` (IN/OUT, per centre) the rows each centre has absorbed so far.
 * @returns the batch inertia (Σ of each row's squared distance to its nearest centre before the
 *   move, as scikit-learn's step returns) and the centres' squared movement Σ‖Δc‖²
 */
export function miniBatchStep(
  data: Float32Array,
  n: number,
  d: number,
  k: number,
  centres: Float64Array,
  seen: Float64Array,
  buffers: MiniBatchBuffers,
): { inertia: number; shift: number } {
  const inertia = scoreBatch(data, n, d, k, centres, buffers);
  return { inertia, shift: moveCentres(d, k, centres, seen, buffers) };
}

/**
 * Each batch row's nearest centre: fills `buffers.sums` and `counts` with the rows' sums and
 * counts per centre; returns Σ of their squared distances. (A function of its own, as
 * moveCentres: where one function held both loops, V8 compiled it while the first loop ran and
 * threw the code away at the second, whose branches it had not yet seen, every step.)
 */
function scoreBatch(
  data: Float32Array,
  n: number,
  d: number,
  k: number,
  centres: Float64Array,
  buffers: MiniBatchBuffers,
): number {
  const { rows, sums, counts } = buffers;
  sums.fill(0);
  counts.fill(0);
  let inertia = 0;
  for (let b = 0; b < rows.length; b++) {
    const i = rows[b];
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const o = c * d;
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const t = data[j * n + i] - centres[o + j];
        dist += t * t;
      }
      if (dist < bestD) {
        bestD = dist;
        best = c;
      }
    }
    inertia += bestD;
    counts[best]++;
    const o = best * d;
    for (let j = 0; j < d; j++) sums[o + j] += data[j * n + i];
  }
  return inertia;
}

/** Moves each centre to the running mean of every row it absorbed; returns Σ‖Δc‖². */
function moveCentres(
  d: number,
  k: number,
  centres: Float64Array,
  seen: Float64Array,
  buffers: MiniBatchBuffers,
): number {
  const { sums, counts } = buffers;
  let shift = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) continue;
    const total = seen[c] + counts[c];
    const o = c * d;
    for (let j = 0; j < d; j++) {
      const next = (centres[o + j] * seen[c] + sums[o + j]) / total;
      const t = next - centres[o + j];
      shift += t * t;
      centres[o + j] = next;
    }
    seen[c] = total;
  }
  return shift;
}
